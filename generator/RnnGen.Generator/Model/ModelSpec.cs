using RnnGen.Generator.Infrastructure;

namespace RnnGen.Generator.Model;

/// <summary>
/// A valid model, everything resolved: defaults applied, sizes chained from layer to layer, PyTorch names chosen.
/// Holds only values (no symbols, syntax or locations) so the pipeline can cache on it.
/// </summary>
internal sealed record ModelSpec(
    TypeHierarchy Type,
    bool IsDouble,
    int InputSize,
    int SequenceLength,
    EquatableArray<RecurrentLayerSpec> Layers,
    EquatableArray<DenseLayerSpec> Head,
    EmbeddingSpec? Embedding,
    string? WeightsFile = null,
    bool RestState = false,
    bool FastActivations = false)
{
    public string ElementType => IsDouble ? "double" : "float";

    public int OutputSize => Head.Count > 0 ? Head[Head.Count - 1].OutputSize : Layers[Layers.Count - 1].HiddenSize;
}

/// <summary>
/// A recurrent layer. Its tensors are <c>{Module}.weight_ih_l{ModuleLayer}</c>, <c>weight_hh</c>, <c>bias_ih</c>, <c>bias_hh</c>.
/// </summary>
internal sealed record RecurrentLayerSpec(
    int Index,
    CellKind Cell,
    int InputSize,
    int HiddenSize,
    bool Bias,
    Activation Activation,
    bool ResetAfter,
    string Module,
    int ModuleLayer,
    double Dropout)
{
    public int GateRows => Cell.GateCount() * HiddenSize;

    public bool HasCellState => Cell == CellKind.Lstm;

    public string WeightIhName => $"{Module}.weight_ih_l{ModuleLayer}";

    public string WeightHhName => $"{Module}.weight_hh_l{ModuleLayer}";

    public string BiasIhName => $"{Module}.bias_ih_l{ModuleLayer}";

    public string BiasHhName => $"{Module}.bias_hh_l{ModuleLayer}";
}

/// <summary>The optional embedding input layer: <c>{Module}.weight</c> <c>[Vocabulary, model InputSize]</c>.</summary>
internal sealed record EmbeddingSpec(int Vocabulary, string Module)
{
    public string WeightName => Module + ".weight";
}

/// <summary>A Dense layer of the head. Its tensors are <c>{Module}.weight</c> <c>[OutputSize, InputSize]</c> and <c>{Module}.bias</c>.</summary>
internal sealed record DenseLayerSpec(int Index, int InputSize, int OutputSize, bool Bias, Activation Activation, string Module)
{
    public string WeightName => Module + ".weight";

    public string BiasName => Module + ".bias";
}
