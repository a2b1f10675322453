using System.Collections.Generic;
using System.Linq;
using RnnGen.Generator.Model;

namespace RnnGen.Generator.Emit;

/// <summary>One tensor in the flat parameter array: PyTorch name, the constant that holds its offset, shape.</summary>
internal sealed record Tensor(string Name, string OffsetConstant, int Offset, int[] Shape)
{
    public int Length => Shape.Aggregate(1, (a, b) => a * b);

    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}

/// <summary>
/// The order of the parameters: the embedding if any, then recurrent layers in stack order (<c>weight_ih</c>, <c>weight_hh</c>, <c>bias_ih</c>,
/// <c>bias_hh</c>, as PyTorch's <c>state_dict</c>), then the Dense layers (<c>weight</c>, <c>bias</c>). Every tensor
/// keeps PyTorch's row-major layout, so the named spans are exactly PyTorch's tensors.
/// </summary>
internal static class ParameterLayout
{
    public static IReadOnlyList<Tensor> Of(ModelSpec spec)
    {
        var tensors = new List<Tensor>();
        int offset = 0;
        void Add(string name, string constant, params int[] shape)
        {
            var tensor = new Tensor(name, constant, offset, shape);
            tensors.Add(tensor);
            offset += tensor.Length;
        }

        if (spec.Embedding is { } embedding)
            Add(embedding.WeightName, "EmbeddingWeight", embedding.Vocabulary, spec.InputSize);
        foreach (RecurrentLayerSpec layer in spec.Layers)
        {
            string p = $"Layer{layer.Index}";
            Add(layer.WeightIhName, p + "WeightIh", layer.GateRows, layer.InputSize);
            Add(layer.WeightHhName, p + "WeightHh", layer.GateRows, layer.HiddenSize);
            if (layer.Bias)
            {
                Add(layer.BiasIhName, p + "BiasIh", layer.GateRows);
                Add(layer.BiasHhName, p + "BiasHh", layer.GateRows);
            }
        }
        foreach (DenseLayerSpec dense in spec.Head)
        {
            string p = $"Dense{dense.Index}";
            Add(dense.WeightName, p + "Weight", dense.OutputSize, dense.InputSize);
            if (dense.Bias) Add(dense.BiasName, p + "Bias", dense.OutputSize);
        }
        return tensors;
    }

    public static int Count(ModelSpec spec) => Of(spec).Sum(t => t.Length);

    /// <summary>Values of one stream's state: h per layer, plus c for LSTM layers.</summary>
    public static int StateLength(ModelSpec spec) => spec.Layers.Sum(l => l.HasCellState ? 2 * l.HiddenSize : l.HiddenSize);

    /// <summary>Offset of layer <paramref name="index"/>'s h in the state; its c (LSTM) follows h.</summary>
    public static int StateOffset(ModelSpec spec, int index) =>
        spec.Layers.Take(index).Sum(l => l.HasCellState ? 2 * l.HiddenSize : l.HiddenSize);

    /// <summary>Scratch values one step needs: the widest layer's gate buffers, or two Dense buffers (ping-pong).</summary>
    public static int ScratchLength(ModelSpec spec)
    {
        int layers = spec.Layers.Max(l => l.Cell switch
        {
            CellKind.Lstm => 4 * l.HiddenSize,
            CellKind.Gru => 5 * l.HiddenSize,
            _ => l.HiddenSize,
        });
        int head = spec.Head.Count > 0 ? 2 * spec.Head.Max(d => d.OutputSize) : 0;
        return System.Math.Max(layers, head);
    }
}
