// OnnxImporter: random-weight models built with onnx.helper (LSTM, GRU with both linear_before_reset, RNN with Relu,
// Gemm and MatMul+Add heads, a three-layer stack in layout 0 and 1) and two models exported by torch.onnx.export
// reproduce the outputs make_import_reference.py computed (PyTorch, and numpy for the reset-before GRU); every ONNX
// conformance case RnnGen can express runs through the importer; what RnnGen cannot represent is refused by name.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using RnnGen.Import.Onnx;
using Xunit;
using Xunit.Abstractions;

namespace RnnGen.Import.Tests;

public class OnnxImporterTests(ITestOutputHelper log)
{
    public static TheoryData<string> Cases => new(ImportCase.Names("onnx"));

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReproducesTheOnnxModelsOutputs(string name)
    {
        ImportCase c = ImportCase.Get(name);
        IRecurrentModel<float> model = Models.Create(c.Model);
        OnnxImporter.Load(model, c.Path);
        double error = Models.RelativeError(Models.Run(model, c.Inputs), c.Outputs);
        log.WriteLine($"{name} → {c.Model}: relative error {error:e2}");
        Assert.True(error <= Models.FloatTolerance, $"{name}: relative error {error:e2}");

        IRecurrentModel<float> fromStream = Models.Create(c.Model);
        using (FileStream stream = File.OpenRead(c.Path)) OnnxImporter.Load(fromStream, stream);
        Assert.Equal(model.Parameters.ToArray(), fromStream.Parameters.ToArray());
    }

    [Theory]
    [InlineData("onnx/lstm_dense")]
    [InlineData("onnx/gru_dense_tanh")]
    [InlineData("onnx/gru_rb_dense")]
    [InlineData("onnx/stacked")]
    public void TheWeightsRoundTripToTheOnnxLayout(string name)
    {
        // Every value of W, R and B comes back from the model's PyTorch-layout tensors through the inverse permutation.
        ImportCase c = ImportCase.Get(name);
        IRecurrentModel<float> model = Models.Create(c.Model);
        OnnxImporter.Load(model, c.Path);
        OnnxGraphProto graph = OnnxProtoReader.ReadModel(File.ReadAllBytes(c.Path)).Graph!;
        foreach (RecurrentLayerInfo layer in model.Architecture.Layers)
        {
            int H = layer.HiddenSize, G = layer.GateRows;
            int[] blockOf = GateOrder.OnnxBlockOf(layer.Cell);
            float[] Onnx(string n) => graph.Initializers.Single(t => t.Name == n + layer.Index).ToDoubles(out _)!.Select(v => (float)v).ToArray();
            float[] w = Onnx("W"), r = Onnx("R"), b = Onnx("B");
            float[] wih = model.Parameter(layer.WeightIhName).ToArray(), whh = model.Parameter(layer.WeightHhName).ToArray();
            float[] bih = model.Parameter(layer.BiasIhName).ToArray(), bhh = model.Parameter(layer.BiasHhName).ToArray();
            for (int p = 0; p < blockOf.Length; p++)
                for (int row = 0; row < H; row++)
                {
                    int torch = p * H + row, onnx = blockOf[p] * H + row;
                    Assert.Equal(w.AsSpan(onnx * layer.InputSize, layer.InputSize).ToArray(), wih.AsSpan(torch * layer.InputSize, layer.InputSize).ToArray());
                    Assert.Equal(r.AsSpan(onnx * H, H).ToArray(), whh.AsSpan(torch * H, H).ToArray());
                    Assert.Equal(b[onnx], bih[torch]);
                    Assert.Equal(b[G + onnx], bhh[torch]);
                }
        }
    }

    [Fact]
    public void AStackedModelWithOneLayerMissingFailsLoudly()
    {
        // LSTM → GRU → head: the SimpleRNN node is left out; the sizes still fit (GRU 3 → Dense 3 → 4), the layers do not.
        var model = new Stacked();
        Models.Refuses(model, () => OnnxImporter.Load(model, Path("stacked_missing_layer")),
            "2 recurrent layer(s)", "LSTM node 'lstm_0'", "GRU node 'gru_1'", "with 3", "[Lstm(4)] [Gru(3)] [SimpleRnn(3)]", "missing");
    }

    [Fact]
    public void RefusesTheOtherGruFormulation()
    {
        var resetAfter = new Gru3x4Dense2Tanh();
        Models.Refuses(resetAfter, () => OnnxImporter.Load(resetAfter, Path("gru_rb_dense")),
            "linear_before_reset=0", "ResetAfter = false", "[Gru(4, ResetAfter = false)]");
        var resetBefore = new GruRb3x4Dense2();
        Models.Refuses(resetBefore, () => OnnxImporter.Load(resetBefore, Path("gru_dense_tanh")),
            "linear_before_reset=1", "ResetAfter = true");
        var conformance = new OnnxGruResetAfterI3H5();
        Models.Refuses(conformance, () => OnnxImporter.Load(conformance, ConformancePath("test_gru_seq_length")), "linear_before_reset=0");
    }

    [Theory]
    [InlineData("peepholes", "peepholes (input P 'P' is nonzero)")]
    [InlineData("clip", "clip=3")]
    [InlineData("input_forget", "input_forget=1")]
    [InlineData("bidirectional", "direction=\"bidirectional\"")]
    [InlineData("reverse", "direction=\"reverse\"")]
    [InlineData("activations", "activations [\"HardSigmoid\", \"Tanh\", \"Tanh\"]")]
    [InlineData("scaled_tanh", "\"ScaledTanh\"")]
    [InlineData("sequence_lens", "sequence_lens")]
    [InlineData("initial_h", "initial_h of LSTM node 'lstm' is a nonzero constant")]
    [InlineData("computed_weights", "W of LSTM node 'lstm' is computed at run time by Concat node 'concat_w'")]
    [InlineData("unknown_op", "Sin node 'sine'")]
    public void RefusesWhatRnnGenCannotRepresent(string feature, string fragment)
    {
        var model = new OnnxLstmI2H3();
        Models.Refuses(model, () => OnnxImporter.Load(model, Path("unsupported_" + feature)), fragment);
    }

    [Theory]
    [InlineData("layout_mismatch", "X of LSTM node 'lstm_1' (layout=1) has axes [time, batch, features], but it needs [batch, time, features]")]
    [InlineData("squeeze_time", "Squeeze node 'squeeze_0' removes axis 0 of [time, direction, batch, features], the time axis")]
    [InlineData("branch", "'S0' feeds 2 nodes (LSTM node 'lstm_1', Add node 'skip_connection')")]
    [InlineData("softmax_axis", "Softmax node 'dense_softmax' (axis=0, opset 14) normalizes over more than the feature axis")]
    [InlineData("intermediate_output", "graph output 'logits' is an intermediate value")]
    public void RefusesAChainRnnGenCannotFollow(string name, string fragment)
    {
        var model = new TwoLstmI2H3();
        Models.Refuses(model, () => OnnxImporter.Load(model, Path("unsupported_" + name)), fragment);
    }

    [Fact]
    public void RefusesMismatchesWithTheModel()
    {
        var lstm = new Lstm3x5Dense2();
        Models.Refuses(lstm, () => OnnxImporter.Load(lstm, Path("gru_dense_tanh")), "GRU node 'gru_0' is a GRU layer", "[Lstm(5)]");
        var tanh = new OnnxRnnI2H4();
        Models.Refuses(tanh, () => OnnxImporter.Load(tanh, Path("rnn_relu_softmax")), "activation is Relu", "Activation = Activation.Relu");
        var noBias = new LstmNoBias();
        Models.Refuses(noBias, () => OnnxImporter.Load(noBias, Path("lstm_dense")), "has shape [1, 20, 3], expected [1, 16, 3]");
        var noHead = new OnnxLstmI3H4();
        Models.Refuses(noHead, () => OnnxImporter.Load(noHead, Path("no_bias")), "1 Dense layer(s)", "with 0");
    }

    [Fact]
    public void RefusesBytesThatAreNotAnOnnxModel()
    {
        var model = new Lstm3x5Dense2();
        byte[] bytes = File.ReadAllBytes(Path("lstm_dense"));
        Models.Refuses(model, () => OnnxImporter.Load(model, new MemoryStream(bytes[..(bytes.Length / 2)])), "not an ONNX model");
        Models.Refuses(model, () => OnnxImporter.Load(model, new MemoryStream([0xff, 0xff, 0xff, 0xff])), "not an ONNX model");
        Models.Refuses(model, () => OnnxImporter.Load(model, new MemoryStream(System.Text.Encoding.UTF8.GetBytes("{\"layers\": []}"))), "ONNX");
    }

    [Fact]
    public void RefusesAnAddWithMoreThanTwoInputs()
    {
        // Add(bias, bias, data): the chain is input 2, and there is no one "other" operand to take as the bias.
        OnnxModelProto proto = OnnxProtoReader.ReadModel(File.ReadAllBytes(Path("rnn_relu_softmax")));
        OnnxNodeProto add = proto.Graph!.Nodes.Single(n => n.OpType == "Add");
        string data = add.Inputs.Single(i => !proto.Graph.Initializers.Any(t => t.Name == i)), bias = add.Inputs.Single(i => i != data);
        add.Inputs.Clear();
        add.Inputs.AddRange([bias, bias, data]);
        var e = Assert.Throws<InvalidDataException>(() =>
            new OnnxGraphConverter(proto, RnnRelu2x4Softmax3.Architecture, RnnRelu2x4Softmax3.ParameterLayout).Convert());
        Assert.Contains($"{add.Describe()} has 3 inputs ('{bias}', '{bias}', '{data}'); Add takes 2", e.Message);
    }

    [Fact]
    public void ATensorsDimsAllocateNothingBeforeItsDataMatchesThem()
    {
        // 12 bytes of raw_data claiming 2^28 - 1 values: refused without allocating for the claim (it was 2 GB).
        var tensor = new OnnxTensorProto { Name = "b", DataType = OnnxTensorProto.Float, RawData = new byte[12] };
        tensor.Dims.Add(268_435_455);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Null(tensor.ToDoubles(out string? problem));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4096);
        Assert.Equal("its 268435455 values ([268435455]) do not match the data it holds (12 bytes of raw_data)", problem);

        var ints = new OnnxTensorProto { Name = "axes", DataType = OnnxTensorProto.Int64 };
        ints.Dims.Add(1 << 20);
        ints.Int64Data.Add(0);
        before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Null(ints.ToInt64s(out problem));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4096);
        Assert.Equal("its 1048576 values ([1048576]) do not match the data it holds", problem);

        // Dims whose product overflows a long (it wrapped to 0 and matched an empty tensor).
        var wrapped = new OnnxTensorProto { Name = "w", DataType = OnnxTensorProto.Float, RawData = [] };
        wrapped.Dims.AddRange([1L << 32, 1L << 32]);
        Assert.Null(wrapped.ToDoubles(out problem));
        Assert.Equal("its shape [4294967296, 4294967296] is invalid", problem);

        // What the file holds is read as before: raw_data and typed values, FLOAT and DOUBLE, INT64 and INT32.
        var floats = new OnnxTensorProto { DataType = OnnxTensorProto.Float, RawData = BitConverter.GetBytes(1.5f) };
        floats.Dims.Add(1);
        Assert.Equal([1.5], floats.ToDoubles(out _)!);
        var doubles = new OnnxTensorProto { DataType = OnnxTensorProto.Double };
        doubles.Dims.AddRange([1, 2]);
        doubles.DoubleData.AddRange([0.25, -2]);
        Assert.Equal([0.25, -2], doubles.ToDoubles(out _)!);
        var int32 = new OnnxTensorProto { DataType = OnnxTensorProto.Int32, RawData = [.. BitConverter.GetBytes(-3), .. BitConverter.GetBytes(7)] };
        int32.Dims.Add(2);
        Assert.Equal([-3L, 7L], int32.ToInt64s(out _)!);
    }

    // ------------------------------------------------------------------------------------------------------------
    // ONNX's own conformance vectors, each rebuilt as a .onnx file (onnx/conformance) and run through the importer.
    // ------------------------------------------------------------------------------------------------------------

    private static readonly Dictionary<string, string> Unsupported = new()
    {
        ["test_lstm_with_peepholes"] = "peepholes",
    };

    public static TheoryData<string> ConformanceCases => new(Directory.GetFiles(Path2("conformance"), "test_*.json")
        .Select(p => System.IO.Path.GetFileNameWithoutExtension(p)!).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(ConformanceCases))]
    public void RunsEveryOnnxConformanceCase(string name)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(System.IO.Path.Combine(Path2("conformance"), name + ".json")));
        JsonElement root = document.RootElement, derived = root.GetProperty("derived");
        string op = root.GetProperty("op_type").GetString()!;
        int T = derived.GetProperty("seq_length").GetInt32(), N = derived.GetProperty("batch_size").GetInt32();
        int I = derived.GetProperty("input_size").GetInt32(), H = derived.GetProperty("hidden_size").GetInt32();
        int layout = root.GetProperty("attributes_effective").GetProperty("layout").GetInt32();
        IRecurrentModel<float> model = Models.Create($"Onnx{(op == "RNN" ? "Rnn" : op == "GRU" ? "Gru" : "Lstm")}I{I}H{H}");

        if (Unsupported.TryGetValue(name, out string? reason))
        {
            Models.Refuses(model, () => OnnxImporter.Load(model, ConformancePath(name)), reason);
            return;
        }
        OnnxImporter.Load(model, ConformancePath(name));

        double[] Data(string section, string role) => root.GetProperty(section).GetProperty(role).GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        double[] x = Data("inputs", "X");
        var y = new double[T * N * H];
        var yh = new double[N * H];
        for (int n = 0; n < N; n++)
        {
            var stream = new double[T * I];
            for (int t = 0; t < T; t++)
                Array.Copy(x, (layout == 0 ? t * N + n : n * T + t) * I, stream, t * I, I);
            double[] outputs = Models.Run(model, stream);
            for (int t = 0; t < T; t++)
                Array.Copy(outputs, t * H, y, (layout == 0 ? t * N + n : n * T + t) * H, H);
            Array.Copy(outputs, (T - 1) * H, yh, n * H, H);
        }
        foreach (JsonElement output in root.GetProperty("node_outputs").EnumerateArray())
        {
            string role = output.GetProperty("role").GetString()!;
            if (output.GetProperty("graph_name").GetString() == "") continue;
            double error = Models.RelativeError(role == "Y" ? y : yh, Data("outputs", role));
            log.WriteLine($"{name} {role}: relative error {error:e2}");
            Assert.True(error <= Models.FloatTolerance, $"{name} {role}: relative error {error:e2}");
        }
    }

    [Fact]
    public void EveryConformanceCaseButPeepholesRuns()
    {
        string[] all = ((IEnumerable<object[]>)ConformanceCases).Select(row => (string)row[0]).ToArray();
        Assert.Equal(12, all.Length);
        Assert.Equal(["test_lstm_with_peepholes"], all.Where(Unsupported.ContainsKey));
        Assert.All(all, n => Assert.True(File.Exists(ConformancePath(n)), n));
    }

    internal static string Path(string name) => System.IO.Path.Combine(ImportCase.Folder, "onnx", name + ".onnx");

    private static string Path2(string folder) => System.IO.Path.Combine(AppContext.BaseDirectory, folder);

    private static string ConformancePath(string name) => System.IO.Path.Combine(ImportCase.Folder, "onnx", "conformance", name + ".onnx");
}
