// KerasImporter: every Keras reference case (tests/reference/import/keras/*.json, written by
// make_import_reference.py from PyTorch weights in Keras layout and checked there against an independent numpy
// implementation of Keras's equations) loads and reproduces the expected outputs; the errors name what is wrong.
using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;

namespace RnnGen.Import.Tests;

public class KerasImporterTests(ITestOutputHelper log)
{
    public static TheoryData<string> Cases => new(ImportCase.Names("keras"));

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReproducesKerasOutputs(string name)
    {
        ImportCase c = ImportCase.Get(name);
        IRecurrentModel<float> model = Models.Create(c.Model);
        KerasImporter.Load(model, c.Path);
        double error = Models.RelativeError(Models.Run(model, c.Inputs), c.Outputs);
        log.WriteLine($"{name} → {c.Model}: relative error {error:e2}");
        Assert.True(error <= Models.FloatTolerance, $"{name}: relative error {error:e2}");

        // The stream overload reads the same.
        IRecurrentModel<float> fromStream = Models.Create(c.Model);
        using (FileStream stream = File.OpenRead(c.Path)) KerasImporter.Load(fromStream, stream);
        Assert.Equal(model.Parameters.ToArray(), fromStream.Parameters.ToArray());
    }

    [Fact]
    public void LoadsIntoADoubleModelToDoublePrecision()
    {
        ImportCase c = ImportCase.Get("keras/lstm_dense");
        var model = new Lstm3x5Dense2Double();
        KerasImporter.Load(model, c.Path);
        double error = Models.RelativeError(Models.Run(model, c.Inputs), c.Outputs);
        Assert.True(error <= 1e-12, $"relative error {error:e2}");
    }

    [Fact]
    public void WritesPyTorchLayout()
    {
        // The LSTM's Keras kernel [I, 4H] column block b is PyTorch's row block b (same gate order, transposed);
        // the single Keras bias goes to bias_ih and bias_hh is zero. The GRU's Keras blocks [z, r, h] become [r, z, n].
        JsonNode file = Read("keras/lstm_dense");
        var model = new Lstm3x5Dense2();
        KerasImporter.Load(model, ImportCase.Get("keras/lstm_dense").Path);
        JsonArray kernel = file["layers"]![0]!["weights"]![0]!.AsArray();
        Span<float> weightIh = model.Parameter("rnn.weight_ih_l0");
        for (int row = 0; row < 20; row++)
            for (int i = 0; i < 3; i++)
                Assert.Equal((float)kernel[i]![row]!.GetValue<double>(), weightIh[row * 3 + i]);
        Assert.All(model.Parameter("rnn.bias_hh_l0").ToArray(), v => Assert.Equal(0f, v));

        JsonNode gruFile = Read("keras/gru_dense_tanh");
        var gru = new Gru3x4Dense2Tanh();
        KerasImporter.Load(gru, ImportCase.Get("keras/gru_dense_tanh").Path);
        JsonArray bias = gruFile["layers"]![0]!["weights"]![2]!.AsArray();
        Span<float> biasIh = gru.Parameter("rnn.bias_ih_l0"), biasHh = gru.Parameter("rnn.bias_hh_l0");
        for (int j = 0; j < 4; j++)
        {
            Assert.Equal((float)bias[0]![4 + j]!.GetValue<double>(), biasIh[j]);      // r ← Keras block 1
            Assert.Equal((float)bias[0]![j]!.GetValue<double>(), biasIh[4 + j]);      // z ← Keras block 0
            Assert.Equal((float)bias[1]![8 + j]!.GetValue<double>(), biasHh[8 + j]);  // n ← Keras block 2, recurrent row
        }
    }

    [Fact]
    public void RoundTripsThroughTheKerasLayout()
    {
        // PyTorch layout → Keras JSON written here with the documented mapping → import: every parameter comes back
        // bit for bit, for every cell, both GRU forms and a head of two layers.
        foreach (IRecurrentModel<float> model in new IRecurrentModel<float>[] { new Stacked(), new GruRb3x4Dense2(), new LstmNoBias(), new RnnRelu2x4Softmax3() })
        {
            model.InitializeParameters(seed: 11);
            // A single Keras bias row is bias_ih + bias_hh: keep that sum exact by drawing bias_hh = 0 where Keras has one row.
            foreach (RecurrentLayerInfo l in model.Architecture.Layers)
                if (l.Bias && !(l.Cell == CellType.Gru && l.ResetAfter)) model.Parameter(l.BiasHhName).Clear();
            float[] expected = model.Parameters.ToArray();
            byte[] json = Encoding.UTF8.GetBytes(KerasJson.Write(model).ToJsonString());
            model.InitializeParameters(seed: 12);
            KerasImporter.Load(model, new MemoryStream(json));
            Assert.Equal(expected, model.Parameters.ToArray());
        }
    }

    [Fact]
    public void ReadsStandaloneActivationLayersAndSkipsDropout()
    {
        // Dense(2) + Activation("tanh") is Dense(2, activation="tanh"); Dropout and InputLayer do nothing at inference.
        JsonNode file = Read("keras/gru_dense_tanh");
        JsonArray layers = file["layers"]!.AsArray();
        layers[1]!["activation"] = "linear";
        layers.Insert(0, new JsonObject { ["type"] = "inputlayer", ["weights"] = new JsonArray() });
        layers.Insert(2, new JsonObject { ["type"] = "dropout", ["weights"] = new JsonArray() });
        layers.Add(new JsonObject { ["type"] = "activation", ["activation"] = "tanh", ["weights"] = new JsonArray() });
        var model = new Gru3x4Dense2Tanh();
        KerasImporter.Load(model, Stream(file));
        ImportCase c = ImportCase.Get("keras/gru_dense_tanh");
        Assert.True(Models.RelativeError(Models.Run(model, c.Inputs), c.Outputs) <= Models.FloatTolerance);
    }

    [Fact]
    public void ReadsAnEmbeddingLayer()
    {
        // Keras Embedding(10, 3) weights [vocab, dim] are PyTorch's embedding.weight as they are: token t's output
        // equals the plain GRU model's output for input row t.
        var random = new Random(3);
        double[][] table = Enumerable.Range(0, 10).Select(_ => Enumerable.Range(0, 3).Select(_ => (double)(float)(random.NextDouble() * 2 - 1)).ToArray()).ToArray();
        JsonNode file = Read("keras/gru_dense_tanh");
        file["in_shape"] = new JsonArray(null, null);
        file["layers"]!.AsArray().Insert(0, new JsonObject
        {
            ["type"] = "embedding",
            ["weights"] = new JsonArray(new JsonArray(table.Select(row => (JsonNode)new JsonArray(row.Select(v => (JsonNode)v).ToArray())).ToArray())),
        });
        var model = new EmbeddedGru();
        KerasImporter.Load(model, Stream(file));
        Assert.Equal(table.SelectMany(row => row).Select(v => (float)v).ToArray(), model.Parameter("embedding.weight").ToArray());

        int[] tokens = [3, 9, 0, 4, 4, 7, 1];
        var outputs = new float[tokens.Length * 2];
        model.Forward(tokens, outputs);
        var plain = new Gru3x4Dense2Tanh();
        KerasImporter.Load(plain, ImportCase.Get("keras/gru_dense_tanh").Path);
        double[] expected = Models.Run(plain, tokens.SelectMany(t => table[t]).ToArray());
        Assert.Equal(expected.Select(v => (float)v).ToArray(), outputs);

        var withoutEmbedding = new Gru3x4Dense2Tanh();
        Models.Refuses(withoutEmbedding, () => KerasImporter.Load(withoutEmbedding, Stream(file)), "layer 0 (embedding)", "no [Embedding]");
        Models.Refuses(model, () => KerasImporter.Load(model, ImportCase.Get("keras/gru_dense_tanh").Path), "no Embedding layer", "[Embedding(10)]");
    }

    [Fact]
    public void AStackedModelWithOneLayerMissingFailsLoudly()
    {
        JsonNode file = Read("keras/stacked");
        file["layers"]!.AsArray().RemoveAt(1); // the GRU
        var model = new Stacked();
        Models.Refuses(model, () => KerasImporter.Load(model, Stream(file)),
            "2 recurrent layer(s)", "with 3", "[Lstm(4)] [Gru(3)] [SimpleRnn(3)]", "missing");
    }

    [Fact]
    public void RefusesTheOtherGruFormulation()
    {
        var resetAfter = new Gru3x4Dense2Tanh();
        Models.Refuses(resetAfter, () => KerasImporter.Load(resetAfter, ImportCase.Get("keras/gru_rb_dense").Path),
            "reset_after=False", "ResetAfter = true", "[Gru(4, ResetAfter = false)]");
        var resetBefore = new GruRb3x4Dense2();
        Models.Refuses(resetBefore, () => KerasImporter.Load(resetBefore, ImportCase.Get("keras/gru_dense_tanh").Path),
            "reset_after=True", "ResetAfter = false");

        // reset_after written in the file must agree with the bias rows; without a bias it must be written.
        JsonNode file = Read("keras/gru_rb_dense");
        file["layers"]![0]!["reset_after"] = true;
        Models.Refuses(resetBefore, () => KerasImporter.Load(resetBefore, Stream(file)), "reset_after is true but the bias has one row");
        file["layers"]![0]!.AsObject().Remove("reset_after");
        file["layers"]![0]!["weights"]!.AsArray().RemoveAt(2);
        file["layers"]![0]!.AsObject().Remove("use_bias");
        Models.Refuses(resetBefore, () => KerasImporter.Load(resetBefore, Stream(file)), "no \"reset_after\" field");
    }

    [Theory]
    [InlineData("recurrent_activation", "\"hard_sigmoid\"", "recurrent_activation is \"hard_sigmoid\"")]
    [InlineData("activation", "\"relu\"", "activation is \"relu\"")]
    [InlineData("activation", "{\"class_name\": \"MyActivation\"}", "custom activation")]
    [InlineData("go_backwards", "true", "go_backwards")]
    [InlineData("units", "6", "6 units")]
    [InlineData("type", "\"gru\"", "is a gru layer, but the model's recurrent layer 0 is [Lstm(5)]")]
    [InlineData("type", "\"bidirectional\"", "Bidirectional")]
    [InlineData("type", "\"unknown\"", "type \"unknown\"")]
    [InlineData("type", "\"conv1d\"", "\"conv1d\"")]
    public void RefusesWhatRnnGenCannotRepresent(string property, string json, string fragment)
    {
        JsonNode file = Read("keras/lstm_dense");
        file["layers"]![0]![property] = JsonNode.Parse(json);
        var model = new Lstm3x5Dense2();
        Models.Refuses(model, () => KerasImporter.Load(model, Stream(file)), "layer 0", fragment);
    }

    [Fact]
    public void RefusesWrongShapesAndDenseMismatches()
    {
        var model = new Lstm3x5Dense2();
        JsonNode file = Read("keras/lstm_dense");
        file["layers"]![0]!["weights"]![1]!.AsArray().RemoveAt(4);
        Models.Refuses(model, () => KerasImporter.Load(model, Stream(file)), "recurrent_kernel (weights[1]) has shape [4, 20], expected [5, 20]");

        file = Read("keras/lstm_dense");
        file["layers"]![1]!["activation"] = "softmax";
        Models.Refuses(model, () => KerasImporter.Load(model, Stream(file)), "Dense layer 0", "\"softmax\"", "Activation = None");

        file = Read("keras/lstm_dense");
        file["layers"]!.AsArray().RemoveAt(1);
        Models.Refuses(model, () => KerasImporter.Load(model, Stream(file)), "0 Dense layer(s)", "with 1");

        file = Read("keras/lstm_dense");
        file["in_shape"]![2] = 4;
        Models.Refuses(model, () => KerasImporter.Load(model, Stream(file)), "in_shape", "InputSize = 3");

        Models.Refuses(model, () => KerasImporter.Load(model, new MemoryStream(Encoding.UTF8.GetBytes("{\"layers\": [NaN]}"))), "not valid JSON");
        Models.Refuses(model, () => KerasImporter.Load(model, new MemoryStream(Encoding.UTF8.GetBytes("[1, 2]"))), "\"layers\" array");
    }

    [Fact]
    public void RefusesTextThatIsNotUtf8OrHasALoneSurrogate()
    {
        // JsonDocument leaves strings unchecked until they are read, and then throws InvalidOperationException.
        var model = new Lstm3x5Dense2();
        byte[] file = Encoding.UTF8.GetBytes(Read("keras/lstm_dense").ToJsonString());
        int at = file.AsSpan().IndexOf("\"lstm\""u8) + 2;
        byte[] invalid = [.. file[..at], 0xFF, .. file[at..]];
        Models.Refuses(model, () => KerasImporter.Load(model, new MemoryStream(invalid)), "not UTF-8 text", $"byte {at}, on line 1,");

        JsonNode surrogate = Read("keras/lstm_dense");
        surrogate["layers"]![0]!["name"] = "x";
        string text = surrogate.ToJsonString().Replace("\"name\":\"x\"", "\"name\":\"\\ud800\"");
        Models.Refuses(model, () => KerasImporter.Load(model, new MemoryStream(Encoding.UTF8.GetBytes(text))), "layer 0's \"name\" is not valid text: \"\\ud800\"");
        text = Encoding.UTF8.GetString(file).Replace("\"activation\":\"tanh\"", "\"activation\":\"tanh\\udc00\"");
        Models.Refuses(model, () => KerasImporter.Load(model, new MemoryStream(Encoding.UTF8.GetBytes(text))), "layer 0 (lstm", "\"activation\" is not valid text");
    }

    [Fact]
    public void RefusesAnEmbeddingLayerWithoutWeights()
    {
        JsonNode file = Read("keras/gru_dense_tanh");
        file["in_shape"] = new JsonArray(null, null);
        file["layers"]!.AsArray().Insert(0, new JsonObject { ["type"] = "embedding" });
        var model = new EmbeddedGru();
        Models.Refuses(model, () => KerasImporter.Load(model, Stream(file)), "layer 0 (embedding) has 0 weight arrays, expected 1 (the embeddings)");
    }

    [Fact]
    public void BiasesOfAModelWithoutBiasMustBeZero()
    {
        // Chosen policy: a file with biases loads into Bias = false layers only if they are all zero (that is exact).
        JsonNode file = Read("keras/no_bias");
        file["layers"]![0]!["weights"]!.AsArray().Add(new JsonArray(Enumerable.Repeat(0.0, 16).Select(v => (JsonNode)v).ToArray()));
        file["layers"]![0]!.AsObject().Remove("use_bias");
        var model = new LstmNoBias();
        KerasImporter.Load(model, Stream(file));
        ImportCase c = ImportCase.Get("keras/no_bias");
        Assert.True(Models.RelativeError(Models.Run(model, c.Inputs), c.Outputs) <= Models.FloatTolerance);

        file["layers"]![0]!["weights"]![2]![3] = 0.25;
        Models.Refuses(model, () => KerasImporter.Load(model, Stream(file)), "nonzero biases", "Bias = false");

        // And a file without biases loads into a model with biases as zeros (Keras use_bias=False computes exactly that).
        JsonNode noBias = Read("keras/lstm_dense");
        noBias["layers"]![0]!["weights"]!.AsArray().RemoveAt(2);
        noBias["layers"]![0]!.AsObject().Remove("use_bias");
        var withBias = new Lstm3x5Dense2();
        KerasImporter.Load(withBias, Stream(noBias));
        Assert.All(withBias.Parameter("rnn.bias_ih_l0").ToArray(), v => Assert.Equal(0f, v));
    }

    internal static JsonNode Read(string name) => JsonNode.Parse(File.ReadAllText(ImportCase.Get(name).Path))!;

    internal static MemoryStream Stream(JsonNode node) => new(Encoding.UTF8.GetBytes(node.ToJsonString()));
}

/// <summary>Writes a model's parameters as Keras JSON, by the mapping docs/importing.md gives (the test's inverse of the importer).</summary>
internal static class KerasJson
{
    public static JsonObject Write(IRecurrentModel<float> model)
    {
        ModelArchitecture a = model.Architecture;
        var layers = new JsonArray();
        foreach (RecurrentLayerInfo l in a.Layers)
        {
            int H = l.HiddenSize, gates = l.GateRows / H;
            int[] kerasBlockToTorch = l.Cell == CellType.Gru ? [1, 0, 2] : Enumerable.Range(0, gates).ToArray(); // Keras [z, r, h] = PyTorch [1, 0, 2]
            float[] wih = model.Parameter(l.WeightIhName).ToArray(), whh = model.Parameter(l.WeightHhName).ToArray();
            JsonArray Kernel(float[] w, int columns) => new(Enumerable.Range(0, columns).Select(i => (JsonNode)new JsonArray(
                Enumerable.Range(0, gates * H).Select(j => (JsonNode)(double)w[(kerasBlockToTorch[j / H] * H + j % H) * columns + i]).ToArray())).ToArray());
            JsonArray Row(float[] b) => new(Enumerable.Range(0, gates * H).Select(j => (JsonNode)(double)b[kerasBlockToTorch[j / H] * H + j % H]).ToArray());
            var weights = new JsonArray { Kernel(wih, l.InputSize), Kernel(whh, H) };
            if (l.Bias)
            {
                float[] bih = model.Parameter(l.BiasIhName).ToArray(), bhh = model.Parameter(l.BiasHhName).ToArray();
                if (l.Cell == CellType.Gru && l.ResetAfter) weights.Add(new JsonArray(Row(bih), Row(bhh)));
                else
                {
                    // One Keras row is bias_ih + bias_hh: write a model whose bias_hh is zero so the sum is exact.
                    Assert.All(bhh, v => Assert.Equal(0f, v));
                    weights.Add(Row(bih));
                }
            }
            var layer = new JsonObject
            {
                ["type"] = l.Cell switch { CellType.Lstm => "lstm", CellType.Gru => "gru", _ => "simplernn" },
                ["activation"] = l.Activation == Activation.Relu ? "relu" : "tanh",
                ["weights"] = weights,
            };
            if (l.Cell == CellType.Gru) layer["reset_after"] = l.ResetAfter;
            layers.Add(layer);
        }
        foreach (DenseLayerInfo d in a.Head)
        {
            float[] w = model.Parameter(d.WeightName).ToArray();
            var weights = new JsonArray(new JsonArray(Enumerable.Range(0, d.InputSize).Select(i => (JsonNode)new JsonArray(
                Enumerable.Range(0, d.OutputSize).Select(o => (JsonNode)(double)w[o * d.InputSize + i]).ToArray())).ToArray()));
            if (d.Bias) weights.Add(new JsonArray(model.Parameter(d.BiasName).ToArray().Select(v => (JsonNode)(double)v).ToArray()));
            layers.Add(new JsonObject
            {
                ["type"] = "dense",
                ["activation"] = d.Activation switch { Activation.None => "linear", var other => other.ToString().ToLowerInvariant() },
                ["weights"] = weights,
            });
        }
        return new JsonObject { ["in_shape"] = new JsonArray(null, null, a.InputSize), ["layers"] = layers };
    }
}
