using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("RnnGen.Import.Tests")]

namespace RnnGen.Import;

/// <summary>
/// The parameters an importer has converted, in PyTorch layout and names, staged in float64 until every tensor of
/// the model's <see cref="IRecurrentModel{T}.ParameterLayout"/> is set. <see cref="LoadInto{T}"/> then loads them
/// through the model's own safetensors loader, so the all-or-nothing checks of <c>LoadSafetensors</c> apply too.
/// </summary>
internal sealed class PyTorchTensors
{
    private readonly IReadOnlyList<ParameterInfo> _layout;
    private readonly Dictionary<string, ParameterInfo> _byName;
    private readonly HashSet<string> _assigned = new(StringComparer.Ordinal);
    private readonly double[] _values;

    public PyTorchTensors(IReadOnlyList<ParameterInfo> layout)
    {
        _layout = layout;
        _byName = layout.ToDictionary(p => p.Name, StringComparer.Ordinal);
        _values = new double[layout.Sum(p => p.Length)];
    }

    /// <summary>The destination of tensor <paramref name="name"/>, which must have <paramref name="shape"/>.</summary>
    public Span<double> Tensor(string name, params int[] shape)
    {
        if (!_byName.TryGetValue(name, out ParameterInfo? parameter))
            throw new InvalidOperationException($"RnnGen importer bug: the model has no tensor '{name}'.");
        if (!parameter.Shape.SequenceEqual(shape))
            throw new InvalidOperationException($"RnnGen importer bug: tensor '{name}' is {parameter.ShapeText}, the importer wrote [{string.Join(", ", shape)}].");
        _assigned.Add(name);
        return _values.AsSpan(parameter.Offset, parameter.Length);
    }

    /// <summary>
    /// Writes gate blocks: PyTorch row block p of <paramref name="destination"/> (rows of <paramref name="rowLength"/>
    /// values, blocks of <paramref name="hidden"/> rows) is block <paramref name="sourceBlockOf"/>[p] of
    /// the source, read through <paramref name="read"/>(source block, row in block, column).
    /// </summary>
    public static void WriteGateBlocks(Span<double> destination, int hidden, int rowLength, int[] sourceBlockOf, Func<int, int, int, double> read)
    {
        for (int p = 0; p < sourceBlockOf.Length; p++)
            for (int row = 0; row < hidden; row++)
                for (int column = 0; column < rowLength; column++)
                    destination[(p * hidden + row) * rowLength + column] = read(sourceBlockOf[p], row, column);
    }

    /// <summary>Loads the staged tensors into <paramref name="model"/> (every tensor of its layout must have been set).</summary>
    public void LoadInto<T>(IRecurrentModel<T> model) where T : unmanaged
    {
        string[] missing = _layout.Where(p => !_assigned.Contains(p.Name)).Select(p => p.Name).ToArray();
        if (missing.Length > 0)
            throw new InvalidOperationException($"RnnGen importer bug: tensors {string.Join(", ", missing)} were not converted.");
        var buffer = new MemoryStream();
        SafetensorsWriter.Write<double>(buffer, _layout, _values);
        buffer.Position = 0;
        model.LoadSafetensors(buffer);
    }
}

/// <summary>Gate orders of the frameworks, as permutations into PyTorch's.</summary>
internal static class GateOrder
{
    /// <summary>Number of gate blocks of a cell.</summary>
    public static int Gates(CellType cell) => cell switch { CellType.Lstm => 4, CellType.Gru => 3, _ => 1 };

    /// <summary>
    /// Keras column block of each PyTorch row block: LSTM Keras [i, f, c, o] = PyTorch [i, f, g, o] (the same order);
    /// GRU Keras [z, r, h] → PyTorch [r, z, n] takes Keras blocks [1, 0, 2].
    /// </summary>
    public static int[] KerasBlockOf(CellType cell) => cell switch
    {
        CellType.Lstm => [0, 1, 2, 3],
        CellType.Gru => [1, 0, 2],
        _ => [0],
    };

    /// <summary>
    /// ONNX block of each PyTorch block: LSTM ONNX [i, o, f, c] → PyTorch [i, f, g, o] takes [0, 2, 3, 1];
    /// GRU ONNX [z, r, h] → PyTorch [r, z, n] takes [1, 0, 2].
    /// </summary>
    public static int[] OnnxBlockOf(CellType cell) => cell switch
    {
        CellType.Lstm => [0, 2, 3, 1],
        CellType.Gru => [1, 0, 2],
        _ => [0],
    };

    /// <summary>How messages name a layer as declared: <c>[Gru(4, ResetAfter = false)]</c>.</summary>
    public static string Declaration(RecurrentLayerInfo layer) => layer.Cell switch
    {
        CellType.Lstm => $"[Lstm({layer.HiddenSize}{(layer.Bias ? "" : ", Bias = false")})]",
        CellType.Gru => $"[Gru({layer.HiddenSize}{(layer.ResetAfter ? "" : ", ResetAfter = false")}{(layer.Bias ? "" : ", Bias = false")})]",
        _ => $"[SimpleRnn({layer.HiddenSize}{(layer.Activation == Activation.Relu ? ", Activation = Activation.Relu" : "")}{(layer.Bias ? "" : ", Bias = false")})]",
    };

    /// <summary>How messages name a Dense layer as declared.</summary>
    public static string Declaration(DenseLayerInfo layer) =>
        $"[Dense({layer.OutputSize}{(layer.Activation == Activation.None ? "" : ", Activation = Activation." + layer.Activation)}{(layer.Bias ? "" : ", Bias = false")})]";

    /// <summary>The model's layers as declared, for messages.</summary>
    public static string Declarations(ModelArchitecture architecture) =>
        string.Join(" ", architecture.Layers.Select(Declaration).Concat(architecture.Head.Select(Declaration)));

    /// <summary>Whether every value is zero.</summary>
    public static bool AllZero(ReadOnlySpan<double> values)
    {
        foreach (double v in values) if (v != 0) return false;
        return true;
    }
}
