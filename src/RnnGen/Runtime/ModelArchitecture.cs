using System;
using System.Collections.Generic;

namespace RnnGen;

/// <summary>The recurrent cell of a layer.</summary>
public enum CellType
{
    /// <summary>Elman RNN (PyTorch <c>nn.RNN</c>), one gate.</summary>
    SimpleRnn = 0,

    /// <summary>LSTM, gate rows [i, f, g, o].</summary>
    Lstm = 1,

    /// <summary>GRU, gate rows [r, z, n].</summary>
    Gru = 2,
}

/// <summary>One recurrent layer of a generated model, as declared and resolved by the generator.</summary>
/// <param name="Index">Position in the stack, from 0.</param>
/// <param name="Cell">The cell.</param>
/// <param name="InputSize">Inputs per step (the model's input size, or the layer below's hidden size).</param>
/// <param name="HiddenSize">Hidden units.</param>
/// <param name="Bias">Whether <c>bias_ih</c> and <c>bias_hh</c> exist.</param>
/// <param name="Activation">The SimpleRNN nonlinearity (Tanh or Relu); Tanh for the gated cells.</param>
/// <param name="ResetAfter">For GRU: whether the reset gate applies after the recurrent product (PyTorch's form).</param>
/// <param name="Module">The PyTorch module name of the tensors.</param>
/// <param name="ModuleLayer">The <c>_l{k}</c> suffix of the tensors.</param>
/// <param name="Dropout">Training-time dropout on the layer's output.</param>
public sealed record RecurrentLayerInfo(int Index, CellType Cell, int InputSize, int HiddenSize, bool Bias, Activation Activation,
    bool ResetAfter, string Module, int ModuleLayer, double Dropout)
{
    /// <summary>Rows of <c>weight_ih</c>: gates × hidden size.</summary>
    public int GateRows => (Cell switch { CellType.Lstm => 4, CellType.Gru => 3, _ => 1 }) * HiddenSize;

    /// <summary><c>{Module}.weight_ih_l{k}</c>.</summary>
    public string WeightIhName => $"{Module}.weight_ih_l{ModuleLayer}";

    /// <summary><c>{Module}.weight_hh_l{k}</c>.</summary>
    public string WeightHhName => $"{Module}.weight_hh_l{ModuleLayer}";

    /// <summary><c>{Module}.bias_ih_l{k}</c>.</summary>
    public string BiasIhName => $"{Module}.bias_ih_l{ModuleLayer}";

    /// <summary><c>{Module}.bias_hh_l{k}</c>.</summary>
    public string BiasHhName => $"{Module}.bias_hh_l{ModuleLayer}";
}

/// <summary>One Dense layer of a generated model's head.</summary>
/// <param name="Index">Position in the head, from 0.</param>
/// <param name="InputSize">Inputs.</param>
/// <param name="OutputSize">Outputs.</param>
/// <param name="Bias">Whether the bias exists.</param>
/// <param name="Activation">The activation after the affine map.</param>
/// <param name="Module">The PyTorch module name: tensors <c>{Module}.weight</c>, <c>{Module}.bias</c>.</param>
public sealed record DenseLayerInfo(int Index, int InputSize, int OutputSize, bool Bias, Activation Activation, string Module)
{
    /// <summary><c>{Module}.weight</c>, <c>[OutputSize, InputSize]</c>.</summary>
    public string WeightName => Module + ".weight";

    /// <summary><c>{Module}.bias</c>, <c>[OutputSize]</c>.</summary>
    public string BiasName => Module + ".bias";
}

/// <summary>
/// A generated model's architecture, for tools that need more than the tensor layout: importers that map another
/// framework's weights (gate orders, GRU formulation), exporters, model summaries.
/// </summary>
/// <param name="ElementType"><c>typeof(float)</c> or <c>typeof(double)</c>.</param>
/// <param name="InputSize">Inputs per step.</param>
/// <param name="OutputSize">Outputs per step.</param>
/// <param name="VocabularySize">Tokens of the embedding input layer, or 0 without one.</param>
/// <param name="EmbeddingModule">The embedding's module name (tensor <c>{EmbeddingModule}.weight</c>), or null.</param>
/// <param name="Layers">The recurrent layers, bottom to top.</param>
/// <param name="Head">The Dense layers, in order.</param>
public sealed record ModelArchitecture(Type ElementType, int InputSize, int OutputSize, int VocabularySize, string? EmbeddingModule,
    IReadOnlyList<RecurrentLayerInfo> Layers, IReadOnlyList<DenseLayerInfo> Head);
