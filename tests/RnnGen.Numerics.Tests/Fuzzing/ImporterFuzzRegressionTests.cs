using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using RnnGen.Import;
using Xunit;
using static RnnGen.Numerics.Tests.Fuzzing.ImporterMutations;

namespace RnnGen.Numerics.Tests.Fuzzing;

/// <summary>
/// Product bugs the importer fuzzers found, each reduced to a reference file with one edit, asserting what the issue
/// asks for: only <see cref="InvalidDataException"/> escapes, the parameters stay unchanged, the import finishes and
/// allocates no more than the file's size warrants. All fixed; the fuzzers draw these inputs too.
/// </summary>
public sealed class ImporterFuzzRegressionTests
{
    /// <summary>The import must refuse the file with <see cref="InvalidDataException"/>, within 20 s, within the allocation bound, leaving the model unchanged.</summary>
    private static void Refused(string kind, byte[] file, FuzzTarget target)
    {
        target.FillSentinel(1);
        byte[] before = target.Bits();
        InvalidDataException? failure = null;
        FuzzChecks.WithinSeconds($"{kind} import", () => failure = FuzzChecks.Expect($"{kind} import", () =>
        {
            var stream = new MemoryStream(file);
            switch (target.Model, kind)
            {
                case (IRecurrentModel<float> f, "keras"): KerasImporter.Load(f, stream); break;
                case (IRecurrentModel<float> f, _): OnnxImporter.Load(f, stream); break;
            }
        }, FuzzChecks.AllocationBound(file.Length, target.ParameterCount)));
        Assert.NotNull(failure);
        Assert.Equal(before, target.Bits());
    }

    private static byte[] Replace(byte[] file, string find, byte[] replacement)
    {
        int at = file.AsSpan().IndexOf(Encoding.UTF8.GetBytes(find));
        Assert.True(at >= 0, find);
        return [.. file[..at], .. replacement, .. file[(at + find.Length)..]];
    }

    /// <summary>Edits the GraphProto (ModelProto field 7) of an ONNX file.</summary>
    private static byte[] EditGraph(string file, Action<System.Collections.Generic.List<ProtoField>> edit)
    {
        var model = Parse(ImporterFiles.Read(file))!;
        ProtoField graph = model.Single(f => f.Number == 7);
        edit(graph.Message!);
        return Write(model);
    }

    private static string Text(ProtoField f) => Encoding.UTF8.GetString(f.Bytes);

    /// <summary>The NodeProto (GraphProto field 1) with this op_type (NodeProto field 4).</summary>
    private static System.Collections.Generic.List<ProtoField> Node(System.Collections.Generic.List<ProtoField> graph, string opType) =>
        graph.Where(f => f.Number == 1).Select(f => f.Message!).First(n => n.Any(x => x.Number == 4 && Text(x) == opType));

    private static ProtoField String(int number, string value) => new() { Number = number, Wire = 2, Bytes = Encoding.UTF8.GetBytes(value) };

    /// <summary>
    /// Invalid UTF-8 in a string such as a layer's "type": JsonDocument.Parse leaves string contents unchecked, and
    /// JsonElement.GetString() threw InvalidOperationException. Hit by 1–2 % of the fuzzer's Keras cases.
    /// </summary>
    [Fact]
    public void KerasInvalidUtf8InAStringIsInvalidData() =>
        Refused("keras", Replace(ImporterFiles.Read("keras/lstm_dense.json"), "\"lstm\"", [(byte)'"', (byte)'l', 0xFF, (byte)'s', (byte)'t', (byte)'m', (byte)'"']),
            new FuzzTarget<float>(new ImportLstm3x5Dense2()));

    /// <summary>An escaped lone surrogate in a string ("type": "\ud800"): JsonElement.GetString() threw InvalidOperationException.</summary>
    [Fact]
    public void KerasLoneSurrogateEscapeIsInvalidData() =>
        Refused("keras", Replace(ImporterFiles.Read("keras/lstm_dense.json"), "\"lstm\"", Encoding.UTF8.GetBytes("\"\\ud800\"")),
            new FuzzTarget<float>(new ImportLstm3x5Dense2()));

    /// <summary>
    /// For a model with [Embedding], the embedding layer's weights[0] was read before its weight count was checked: an
    /// "embedding" layer without "weights" threw ArgumentOutOfRangeException.
    /// </summary>
    [Fact]
    public void KerasEmbeddingWithoutWeightsIsInvalidData()
    {
        var target = new FuzzTarget<float>(new FuzzEmbeddingLstmFloat());
        JsonNode root = JsonNode.Parse(ImporterFiles.KerasFor(target.Typed.Architecture, 1))!;
        ((JsonObject)root["layers"]![0]!).Remove("weights");
        Refused("keras", Encoding.UTF8.GetBytes(root.ToJsonString()), target);
    }

    /// <summary>
    /// The Add's bias was taken from input '1 - slot', so an Add whose data (the chain) is its third input,
    /// Add(bias, bias, data), asked for input -1 (ArgumentOutOfRangeException). Found by duplicating an input field.
    /// </summary>
    [Fact]
    public void OnnxAddWithDataAsThirdInputIsInvalidData() =>
        Refused("onnx", EditGraph("onnx/rnn_relu_softmax.onnx", graph =>
        {
            var add = Node(graph, "Add");
            add.RemoveAll(f => f.Number == 1);
            add.InsertRange(0, [String(1, "dense0_bias"), String(1, "dense0_bias"), String(1, "D0")]);
        }), new FuzzTarget<float>(new ImportRnnRelu2x4Softmax3()));

    /// <summary>
    /// OnnxTensorProto.ToDoubles allocated new double[count] from the tensor's dims before comparing the count with the
    /// data it holds: a 1 KB file whose bias has dims [268435455] and 12 bytes of raw_data allocated 2 GB.
    /// </summary>
    [Fact]
    public void OnnxDimsDoNotSizeAllocations() =>
        Refused("onnx", EditGraph("onnx/rnn_relu_softmax.onnx", graph =>
        {
            ProtoField bias = graph.Where(f => f.Number == 5).First(t => t.Message!.Any(x => x.Number == 8 && Text(x) == "dense0_bias"));
            bias.Message!.RemoveAll(f => f.Number == 1);
            bias.Message.Insert(0, new ProtoField { Number = 1, Wire = 0, Value = 268_435_455 });
        }), new FuzzTarget<float>(new ImportRnnRelu2x4Softmax3()));

    [Fact]
    public void OnnxIdentityCycleAfterTheRecurrentNodeIsRefused() =>
        Refused("onnx", EditGraph("onnx/rnn_relu_softmax.onnx", graph =>
        {
            var identity = Node(graph, "Identity");
            identity.Single(f => f.Number == 2).Bytes = Encoding.UTF8.GetBytes("act0"); // its output: its own input
        }), new FuzzTarget<float>(new ImportRnnRelu2x4Softmax3()));

    [Fact]
    public void OnnxIdentityCycleOnTheInputIsRefused() =>
        Refused("onnx", EditGraph("onnx/lstm_dense.onnx", graph =>
            graph.Add(new ProtoField
            {
                Number = 1, Wire = 2,
                Message = [String(1, "X"), String(2, "X"), String(3, "loop"), String(4, "Identity")],
            })), new FuzzTarget<float>(new ImportLstm3x5Dense2()));

    [Fact]
    public void OnnxIdentityCycleOnInitialHIsRefused() =>
        Refused("onnx", EditGraph("onnx/lstm_dense.onnx", graph =>
        {
            var lstm = Node(graph, "LSTM");
            int last = lstm.FindLastIndex(f => f.Number == 1);
            lstm.InsertRange(last + 1, [String(1, ""), String(1, "h0")]); // sequence_lens omitted, initial_h = h0
            graph.Add(new ProtoField { Number = 1, Wire = 2, Message = [String(1, "h0"), String(2, "h0"), String(3, "loop"), String(4, "Identity")] });
        }), new FuzzTarget<float>(new ImportLstm3x5Dense2()));
}
