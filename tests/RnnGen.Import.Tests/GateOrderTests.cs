// Gate order: with random weights and 7 steps every gate matters, so swapping any two gate blocks in the file (in the
// kernel, the recurrent kernel and every bias row alike) must move the output far from the framework's own result,
// while the file as written matches it. A mapping that confused any two gates would fail the unswapped check.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using RnnGen.Import.Onnx;
using Xunit;
using Xunit.Abstractions;

namespace RnnGen.Import.Tests;

public class GateOrderTests(ITestOutputHelper log)
{
    /// <summary>A swap must change the output by far more than rounding.</summary>
    private const double Changed = 1e-2;

    public static TheoryData<string, int, int> KerasSwaps => Swaps(["keras/lstm_dense", "keras/gru_dense_tanh", "keras/gru_rb_dense"]);

    public static TheoryData<string, int, int> OnnxSwaps => Swaps(["onnx/lstm_dense", "onnx/gru_dense_tanh", "onnx/gru_rb_dense"]);

    private static TheoryData<string, int, int> Swaps(string[] cases)
    {
        var data = new TheoryData<string, int, int>();
        foreach (string c in cases)
        {
            int gates = c.Contains("lstm") ? 4 : 3;
            for (int a = 0; a < gates; a++)
                for (int b = a + 1; b < gates; b++)
                    data.Add(c, a, b);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(KerasSwaps))]
    public void SwappingTwoKerasGateBlocksChangesTheOutput(string name, int a, int b)
    {
        ImportCase c = ImportCase.Get(name);
        JsonNode file = KerasImporterTests.Read(name);
        JsonNode layer = file["layers"]![0]!;
        int units = layer["units"]!.GetValue<int>();
        JsonArray weights = layer["weights"]!.AsArray();
        foreach (JsonNode? row in weights[0]!.AsArray().Concat(weights[1]!.AsArray()))
            SwapColumns(row!.AsArray(), units, a, b);
        JsonArray bias = weights[2]!.AsArray();
        if (bias[0] is JsonArray) foreach (JsonNode? row in bias) SwapColumns(row!.AsArray(), units, a, b);
        else SwapColumns(bias, units, a, b);

        IRecurrentModel<float> model = Models.Create(c.Model);
        KerasImporter.Load(model, KerasImporterTests.Stream(file));
        double error = Models.RelativeError(Models.Run(model, c.Inputs), c.Outputs);
        log.WriteLine($"{name}: gate blocks {a} ↔ {b} swapped: relative error {error:e2}");
        Assert.True(error > Changed, $"{name}: swapping Keras gate blocks {a} and {b} left the output within {error:e2}; this case cannot see that swap");
    }

    [Theory]
    [MemberData(nameof(OnnxSwaps))]
    public void SwappingTwoOnnxGateBlocksChangesTheOutput(string name, int a, int b)
    {
        ImportCase c = ImportCase.Get(name);
        byte[] bytes = File.ReadAllBytes(c.Path);
        OnnxGraphProto graph = OnnxProtoReader.ReadModel(bytes).Graph!;
        OnnxTensorProto w = Tensor(graph, "W0"), r = Tensor(graph, "R0"), bias = Tensor(graph, "B0");
        int gates = name.Contains("lstm") ? 4 : 3, hidden = (int)r.Dims[2], inputs = (int)w.Dims[2];
        // Swap rows blocks in place in the file's raw_data (same length, so the protobuf stays valid).
        SwapBlocks(bytes, w.RawData!, hidden * inputs * 4, a, b);
        SwapBlocks(bytes, r.RawData!, hidden * hidden * 4, a, b);
        byte[] biasBytes = bias.RawData!;
        int at = IndexOf(bytes, biasBytes);
        foreach (int half in new[] { 0, gates * hidden * 4 })
            SwapInPlace(bytes, at + half, hidden * 4, a, b);

        IRecurrentModel<float> model = Models.Create(c.Model);
        OnnxImporter.Load(model, new MemoryStream(bytes));
        double error = Models.RelativeError(Models.Run(model, c.Inputs), c.Outputs);
        log.WriteLine($"{name}: gate blocks {a} ↔ {b} swapped: relative error {error:e2}");
        Assert.True(error > Changed, $"{name}: swapping ONNX gate blocks {a} and {b} left the output within {error:e2}; this case cannot see that swap");
    }

    private static OnnxTensorProto Tensor(OnnxGraphProto graph, string name) => graph.Initializers.Single(t => t.Name == name);

    private static void SwapColumns(JsonArray row, int units, int a, int b)
    {
        for (int j = 0; j < units; j++)
        {
            JsonNode? x = row[a * units + j], y = row[b * units + j];
            row[a * units + j] = null;
            row[b * units + j] = null;
            row[a * units + j] = y;
            row[b * units + j] = x;
        }
    }

    private static void SwapBlocks(byte[] file, byte[] tensor, int blockBytes, int a, int b) => SwapInPlace(file, IndexOf(file, tensor), blockBytes, a, b);

    private static void SwapInPlace(byte[] bytes, int start, int blockBytes, int a, int b)
    {
        byte[] first = bytes.AsSpan(start + a * blockBytes, blockBytes).ToArray();
        bytes.AsSpan(start + b * blockBytes, blockBytes).CopyTo(bytes.AsSpan(start + a * blockBytes));
        first.CopyTo(bytes.AsSpan(start + b * blockBytes));
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        int at = haystack.AsSpan().IndexOf(needle);
        Assert.True(at >= 0 && haystack.AsSpan(at + 1).IndexOf(needle) < 0, "the tensor's bytes must occur exactly once in the file");
        return at;
    }
}
