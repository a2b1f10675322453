using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Google.Protobuf;

namespace RnnGen.Benchmarks.Peers.Heavy;

/// <summary>
/// Builds an ONNX model (opset 17) of a network from RnnGen's weights, written field by field with Google.Protobuf's
/// <see cref="CodedOutputStream"/> (the field numbers are onnx.proto's; RnnGen's importer reads the same ones).
/// Graph: x [T, N, I] → LSTM/GRU/RNN per layer (initial_h/initial_c as inputs h0_k/c0_k, final states as outputs
/// hn_k/cn_k) → Squeeze(axis 1) → MatMul + Add per Dense layer → y [T, N, O]. T and N are symbolic, so one model
/// serves streaming (T = 1), the sequence (T = 128) and the batch (N = 16).
/// Weights go to ONNX's gate order: LSTM [i, o, f, c] (PyTorch [i, f, g, o]), GRU [z, r, h] (PyTorch [r, z, n]) with
/// linear_before_reset = 1 (PyTorch's reset-after form), RNN with Tanh; B = [Wb, Rb].
/// </summary>
public static class OnnxModelBuilder
{
    /// <summary>One recurrent state tensor of the graph: input name, output name, hidden size.</summary>
    public sealed record StateTensor(string Input, string Output, int HiddenSize);

    public static byte[] Build(NetworkWeights net, out IReadOnlyList<StateTensor> states)
    {
        if (net.Head.Length == 0) throw new NotSupportedException("the ONNX peer expects a Dense head");
        var graph = new Proto().String(2, "rnngen_benchmark");
        var stateList = new List<StateTensor>();
        graph.Message(11, ValueInfo("x", "T", "N", net.InputSize));
        graph.Message(5, Int64Tensor("squeeze_axes", [1], [1]));

        string x = "x";
        for (int k = 0; k < net.Layers.Length; k++)
        {
            RecurrentWeights layer = net.Layers[k];
            int H = layer.HiddenSize, G = layer.Gates;
            int[] blockOf = layer.Cell switch { CellType.Lstm => [0, 2, 3, 1], CellType.Gru => [1, 0, 2], _ => [0] };
            float[] w = Permute(layer.WeightIh, blockOf, H, layer.InputSize);
            float[] r = Permute(layer.WeightHh, blockOf, H, H);
            float[] b = [.. Permute(layer.BiasIh, blockOf, H, 1), .. Permute(layer.BiasHh, blockOf, H, 1)];
            graph.Message(5, FloatTensor($"W{k}", [1, G * H, layer.InputSize], w));
            graph.Message(5, FloatTensor($"R{k}", [1, G * H, H], r));
            graph.Message(5, FloatTensor($"B{k}", [1, 2 * G * H], b));

            graph.Message(11, ValueInfo($"h0_{k}", 1, "N", H));
            graph.Message(12, ValueInfo($"hn_{k}", 1, "N", H));
            stateList.Add(new StateTensor($"h0_{k}", $"hn_{k}", H));
            var inputs = new List<string> { x, $"W{k}", $"R{k}", $"B{k}", "", $"h0_{k}" };
            var outputs = new List<string> { $"y{k}", $"hn_{k}" };
            if (layer.Cell == CellType.Lstm)
            {
                graph.Message(11, ValueInfo($"c0_{k}", 1, "N", H));
                graph.Message(12, ValueInfo($"cn_{k}", 1, "N", H));
                stateList.Add(new StateTensor($"c0_{k}", $"cn_{k}", H));
                inputs.Add($"c0_{k}");
                outputs.Add($"cn_{k}");
            }
            var attributes = new List<Proto> { IntAttribute("hidden_size", H) };
            if (layer.Cell == CellType.Gru) attributes.Add(IntAttribute("linear_before_reset", 1));
            if (layer.Cell == CellType.SimpleRnn) attributes.Add(StringsAttribute("activations", "Tanh"));
            string op = layer.Cell switch { CellType.Lstm => "LSTM", CellType.Gru => "GRU", _ => "RNN" };
            graph.Message(1, Node(op, $"{op.ToLowerInvariant()}_{k}", inputs, outputs, attributes));
            // Y is [T, num_directions = 1, N, H]; the next layer and the head take [T, N, H].
            graph.Message(1, Node("Squeeze", $"squeeze_{k}", [$"y{k}", "squeeze_axes"], [$"ys{k}"], []));
            x = $"ys{k}";
        }

        for (int d = 0; d < net.Head.Length; d++)
        {
            DenseWeights dense = net.Head[d];
            var transposed = new float[dense.Weight.Length];                       // [O, I] → [I, O] for MatMul
            for (int o = 0; o < dense.OutputSize; o++)
                for (int i = 0; i < dense.InputSize; i++) transposed[i * dense.OutputSize + o] = dense.Weight[o * dense.InputSize + i];
            graph.Message(5, FloatTensor($"dense{d}_wt", [dense.InputSize, dense.OutputSize], transposed));
            graph.Message(5, FloatTensor($"dense{d}_b", [dense.OutputSize], dense.Bias));
            string result = d == net.Head.Length - 1 ? "y" : $"dense{d}";
            graph.Message(1, Node("MatMul", $"dense{d}_matmul", [x, $"dense{d}_wt"], [$"dense{d}_mm"], []));
            graph.Message(1, Node("Add", $"dense{d}_add", [$"dense{d}_mm", $"dense{d}_b"], [result], []));
            x = result;
        }
        graph.Message(12, ValueInfo("y", "T", "N", net.OutputSize));

        states = stateList;
        return new Proto()
            .Int64(1, 8)                                                         // ir_version 8
            .String(2, "RnnGen.Benchmarks")                                      // producer_name
            .Message(7, graph)                                                   // graph
            .Message(8, new Proto().Int64(2, 17))                                // opset_import: default domain, 17
            .ToArray();
    }

    /// <summary>Rows of PyTorch block p go to ONNX block blockOf[p]; each row has <paramref name="columns"/> values.</summary>
    private static float[] Permute(float[] values, int[] blockOf, int hidden, int columns)
    {
        var result = new float[values.Length];
        for (int p = 0; p < blockOf.Length; p++)
            values.AsSpan(p * hidden * columns, hidden * columns).CopyTo(result.AsSpan(blockOf[p] * hidden * columns));
        return result;
    }

    private static Proto Node(string op, string name, IEnumerable<string> inputs, IEnumerable<string> outputs, IEnumerable<Proto> attributes)
    {
        var node = new Proto();
        foreach (string input in inputs) node.String(1, input);                  // "" = an optional input left out
        foreach (string output in outputs) node.String(2, output);
        node.String(3, name).String(4, op);
        foreach (Proto attribute in attributes) node.Message(5, attribute);
        return node;
    }

    private static Proto IntAttribute(string name, long value) => new Proto().String(1, name).Int64(3, value).Int64(20, 2);      // INT

    private static Proto StringsAttribute(string name, params string[] values)
    {
        var attribute = new Proto().String(1, name);
        foreach (string value in values) attribute.String(9, value);
        return attribute.Int64(20, 8);                                                                                          // STRINGS
    }

    private static Proto FloatTensor(string name, long[] dims, float[] values) =>
        Tensor(name, dims, 1, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());                                               // FLOAT

    private static Proto Int64Tensor(string name, long[] dims, long[] values) =>
        Tensor(name, dims, 7, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());                                               // INT64

    private static Proto Tensor(string name, long[] dims, int dataType, byte[] raw)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("raw_data is little-endian");
        var tensor = new Proto();
        foreach (long dim in dims) tensor.Int64(1, dim);
        return tensor.Int64(2, dataType).String(8, name).Bytes(9, raw);
    }

    /// <summary>A float tensor value info; each dimension a number or a symbolic name.</summary>
    private static Proto ValueInfo(string name, params object[] dims)
    {
        var shape = new Proto();
        foreach (object dim in dims)
            shape.Message(1, dim is string symbol ? new Proto().String(2, symbol) : new Proto().Int64(1, Convert.ToInt64(dim, System.Globalization.CultureInfo.InvariantCulture)));
        var tensorType = new Proto().Int64(1, 1).Message(2, shape);            // elem_type FLOAT, shape
        return new Proto().String(1, name).Message(2, new Proto().Message(1, tensorType));
    }

    /// <summary>One protobuf message being written.</summary>
    private sealed class Proto
    {
        private readonly MemoryStream _buffer = new();
        private readonly CodedOutputStream _output;

        public Proto() => _output = new CodedOutputStream(_buffer, leaveOpen: true);

        public Proto Int64(int field, long value)
        {
            _output.WriteTag(field, WireFormat.WireType.Varint);
            _output.WriteInt64(value);
            return this;
        }

        public Proto String(int field, string value)
        {
            _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
            _output.WriteString(value);
            return this;
        }

        public Proto Bytes(int field, byte[] value)
        {
            _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
            _output.WriteBytes(ByteString.CopyFrom(value));
            return this;
        }

        public Proto Message(int field, Proto message) => Bytes(field, message.ToArray());

        public byte[] ToArray()
        {
            _output.Flush();
            return _buffer.ToArray();
        }
    }
}
