using System;
using System.Linq;

namespace RnnGen.Benchmarks.Peers;

/// <summary>One recurrent layer's tensors, PyTorch layout: weight_ih [G·H, I], weight_hh [G·H, H], bias_ih, bias_hh [G·H].</summary>
public sealed record RecurrentWeights(CellType Cell, int InputSize, int HiddenSize, float[] WeightIh, float[] WeightHh, float[] BiasIh, float[] BiasHh)
{
    /// <summary>Gate blocks: LSTM 4 [i, f, g, o], GRU 3 [r, z, n], SimpleRNN 1.</summary>
    public int Gates => Cell switch { CellType.Lstm => 4, CellType.Gru => 3, _ => 1 };
}

/// <summary>One Dense layer: weight [O, I], bias [O], no activation.</summary>
public sealed record DenseWeights(int InputSize, int OutputSize, float[] Weight, float[] Bias);

/// <summary>
/// A network with run-time shapes, copied out of an RnnGen model through its <c>Architecture</c>, <c>ParameterLayout</c>
/// and <c>Parameter(name)</c>: what the baselines are built from. Only what the six shapes use is accepted (biases on,
/// SimpleRNN tanh, PyTorch's reset-after GRU, Dense without activation); anything else is refused, not approximated.
/// </summary>
public sealed record NetworkWeights(int InputSize, int OutputSize, RecurrentWeights[] Layers, DenseWeights[] Head)
{
    public static NetworkWeights From(IRecurrentModel<float> model)
    {
        ModelArchitecture architecture = model.Architecture;
        if (architecture.VocabularySize != 0) throw new NotSupportedException("embedding inputs");
        var layers = architecture.Layers.Select(layer =>
        {
            if (!layer.Bias) throw new NotSupportedException($"layer {layer.Index} without bias");
            if (layer.Cell == CellType.SimpleRnn && layer.Activation != Activation.Tanh) throw new NotSupportedException("SimpleRNN relu");
            if (layer.Cell == CellType.Gru && !layer.ResetAfter) throw new NotSupportedException("reset-before GRU");
            return new RecurrentWeights(layer.Cell, layer.InputSize, layer.HiddenSize, model.Parameter(layer.WeightIhName).ToArray(),
                model.Parameter(layer.WeightHhName).ToArray(), model.Parameter(layer.BiasIhName).ToArray(), model.Parameter(layer.BiasHhName).ToArray());
        }).ToArray();
        var head = architecture.Head.Select(dense =>
        {
            if (!dense.Bias || dense.Activation != Activation.None) throw new NotSupportedException($"Dense layer {dense.Index}: only biased, linear layers");
            return new DenseWeights(dense.InputSize, dense.OutputSize, model.Parameter(dense.WeightName).ToArray(), model.Parameter(dense.BiasName).ToArray());
        }).ToArray();
        // Every parameter is in exactly one of the tensors copied above.
        int copied = layers.Sum(l => l.WeightIh.Length + l.WeightHh.Length + l.BiasIh.Length + l.BiasHh.Length) + head.Sum(d => d.Weight.Length + d.Bias.Length);
        if (copied != model.Parameters.Length) throw new InvalidOperationException($"copied {copied} of {model.Parameters.Length} parameters");
        return new NetworkWeights(architecture.InputSize, architecture.OutputSize, layers, head);
    }

    /// <summary>The widest vector between layers (input, hidden or Dense output).</summary>
    public int Widest => Math.Max(InputSize, Math.Max(Layers.Max(l => l.HiddenSize), Head.Length == 0 ? 0 : Head.Max(d => d.OutputSize)));

    /// <summary>Floats of one stream's state: h (and c for LSTM) of every layer.</summary>
    public int StateLength => Layers.Sum(l => l.Cell == CellType.Lstm ? 2 * l.HiddenSize : l.HiddenSize);
}
