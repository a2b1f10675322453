using System.Collections.Generic;
using System.Linq;
using RnnGen.Generator.Model;

namespace RnnGen.Generator.Emit;

/// <summary>One slice of a step's training record: the constant that names its offset, the offset, its length, what it holds.</summary>
internal sealed record TraceSlice(string Constant, int Offset, int Length, string Meaning);

/// <summary>
/// What the training forward records per time step, so the backward pass needs no recomputation of products:
/// the step's input, then per layer h_{t-1} (and c_{t-1}), the activated gates, the new c and h; then each Dense
/// layer's activated output. Every slice starts on a whole vector (8 floats, 4 doubles) and so does every step's record,
/// so the vector loads of the backward pass never straddle two cache lines (the trace itself starts on one).
/// </summary>
internal static class TrainingLayout
{
    public static IReadOnlyList<TraceSlice> Of(ModelSpec spec)
    {
        var slices = new List<TraceSlice>();
        VectorWidth width = VectorWidth.For(spec.IsDouble);
        int offset = 0;
        void Add(string constant, int length, string meaning)
        {
            slices.Add(new TraceSlice(constant, offset, length, meaning));
            offset = width.WholeVectors(offset + length);
        }

        Add("TraceInput", spec.InputSize, "x_t, the step's input");
        foreach (RecurrentLayerSpec layer in spec.Layers)
        {
            int h = layer.HiddenSize;
            string p = $"Trace{layer.Index}";
            Add(p + "HPrev", h, $"layer {layer.Index} h_(t-1)");
            if (layer.Cell == CellKind.Lstm)
            {
                Add(p + "CPrev", h, $"layer {layer.Index} c_(t-1)");
                Add(p + "Gates", 4 * h, $"layer {layer.Index} activated gates [i, f, g, o]");
                Add(p + "TanhC", h, $"layer {layer.Index} tanh(c_t), as the backward pass uses c_t");
            }
            else if (layer.Cell == CellKind.Gru)
            {
                Add(p + "Gates", 4 * h, $"layer {layer.Index} [r, z, n, hn] with hn = W_hn {(layer.ResetAfter ? "h" : "(r ⊙ h)")} + b_hn");
            }
            Add(p + "H", h, $"layer {layer.Index} h_t");
            if (layer.Dropout > 0)
            {
                Add(p + "Mask", h, $"layer {layer.Index} dropout mask: 0 or 1 / (1 − p)");
                Add(p + "Dropped", h, $"layer {layer.Index} h_t ⊙ mask, what the layer above reads");
            }
        }
        foreach (DenseLayerSpec dense in spec.Head)
            Add($"TraceDense{dense.Index}", dense.OutputSize, $"Dense {dense.Index} activated output");
        return slices;
    }

    /// <summary>Values per step's record: the slices and the padding that starts each on a whole vector.</summary>
    public static int StepLength(ModelSpec spec)
    {
        TraceSlice last = Of(spec).Last();
        return VectorWidth.For(spec.IsDouble).WholeVectors(last.Offset + last.Length);
    }

    /// <summary>Where, in a step's record, the layer above layer <paramref name="below"/> finds its input (after dropout).</summary>
    public static string OutputOf(RecurrentLayerSpec below) => below.Dropout > 0 ? $"Trace{below.Index}Dropped" : $"Trace{below.Index}H";

    public static bool HasDropout(ModelSpec spec) => spec.Layers.Any(l => l.Dropout > 0);

    /// <summary>The widest per-step vector any layer reads or writes: sizes the gradient buffers between layers.</summary>
    public static int Widest(ModelSpec spec) =>
        new[] { spec.InputSize }.Concat(spec.Layers.Select(l => l.HiddenSize)).Concat(spec.Head.Select(d => d.OutputSize)).Max();

    /// <summary>
    /// Values per step of the backward history (the pre-activation gradients the weight gradients are built from after
    /// the step loop): a layer's gate rows, or for a GRU its input-side and recurrent-side rows (3H each).
    /// </summary>
    public static int HistoryWidth(ModelSpec spec) =>
        spec.Layers.Max(l => l.Cell == CellKind.Gru ? 6 * l.HiddenSize : l.GateRows);

    /// <summary>
    /// Scratch for the backward steps: a layer's carried dh and dc (LSTM), or dh, r ⊙ h and its gradient (GRU, reset
    /// before); the head's three vectors. The pre-activation gradients go straight into the history.
    /// </summary>
    public static int BackwardScratchLength(ModelSpec spec) => 3 * Widest(spec);
}
