using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace RnnGen.Import.Tests;

/// <summary>One case of tests/reference/import/cases.json: a file, the model it loads into, one stream's input and the expected output.</summary>
internal sealed record ImportCase(string Name, string Kind, string File, string Model, int Steps, double[] Inputs, double[] Outputs)
{
    public static string Folder => System.IO.Path.Combine(AppContext.BaseDirectory, "import");

    public string Path => System.IO.Path.Combine(Folder, File);

    private static readonly Lazy<Dictionary<string, ImportCase>> All = new(() =>
    {
        using JsonDocument document = JsonDocument.Parse(System.IO.File.ReadAllBytes(System.IO.Path.Combine(Folder, "cases.json")));
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => new ImportCase(p.Name,
            p.Value.GetProperty("kind").GetString()!, p.Value.GetProperty("file").GetString()!, p.Value.GetProperty("model").GetString()!,
            p.Value.GetProperty("steps").GetInt32(),
            p.Value.GetProperty("inputs").EnumerateArray().Select(v => v.GetDouble()).ToArray(),
            p.Value.GetProperty("outputs").EnumerateArray().Select(v => v.GetDouble()).ToArray()));
    });

    public static ImportCase Get(string name) => All.Value[name];

    public static IEnumerable<string> Names(string kind) => All.Value.Values.Where(c => c.Kind == kind).Select(c => c.Name);
}

/// <summary>Creates models by class name and runs them.</summary>
internal static class Models
{
    public static IRecurrentModel<float> Create(string name) => name switch
    {
        nameof(Lstm3x5Dense2) => new Lstm3x5Dense2(),
        nameof(Gru3x4Dense2Tanh) => new Gru3x4Dense2Tanh(),
        nameof(GruRb3x4Dense2) => new GruRb3x4Dense2(),
        nameof(RnnRelu2x4Softmax3) => new RnnRelu2x4Softmax3(),
        nameof(Stacked) => new Stacked(),
        nameof(LstmNoBias) => new LstmNoBias(),
        nameof(TorchLstm2) => new TorchLstm2(),
        nameof(OnnxRnnI2H4) => new OnnxRnnI2H4(),
        nameof(OnnxRnnI3H5) => new OnnxRnnI3H5(),
        nameof(OnnxGruI2H5) => new OnnxGruI2H5(),
        nameof(OnnxGruI3H3) => new OnnxGruI3H3(),
        nameof(OnnxGruI3H5) => new OnnxGruI3H5(),
        nameof(OnnxGruResetAfterI3H5) => new OnnxGruResetAfterI3H5(),
        nameof(OnnxGruI2H6) => new OnnxGruI2H6(),
        nameof(OnnxLstmI2H3) => new OnnxLstmI2H3(),
        nameof(OnnxLstmI3H4) => new OnnxLstmI3H4(),
        nameof(OnnxLstmI2H7) => new OnnxLstmI2H7(),
        nameof(OnnxLstmI4H3) => new OnnxLstmI4H3(),
        _ => throw new ArgumentException($"No model class {name}: add it to Models.cs."),
    };

    /// <summary>Runs one stream from a zero state: [T, I] in, [T, O] out, in double.</summary>
    public static double[] Run<T>(IRecurrentModel<T> model, double[] inputs) where T : unmanaged
    {
        model.ResetState();
        T[] x = inputs.Select(Convert<T>).ToArray();
        var y = new T[inputs.Length / model.InputSize * model.OutputSize];
        model.Forward(x, y);
        return y.Select(v => typeof(T) == typeof(float) ? (double)(float)(object)v : (double)(object)v).ToArray();
    }

    private static T Convert<T>(double value) => typeof(T) == typeof(float) ? (T)(object)(float)value : (T)(object)value;

    /// <summary>‖a − b‖ / ‖b‖ (normwise relative error).</summary>
    public static double RelativeError(double[] actual, double[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double difference = 0, norm = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            difference += (actual[i] - expected[i]) * (actual[i] - expected[i]);
            norm += expected[i] * expected[i];
        }
        return Math.Sqrt(difference) / Math.Max(Math.Sqrt(norm), 1e-300);
    }

    /// <summary>Float32 data and float models: PyTorch's own float32-vs-float64 gap is ≤ 4e-7 (shared/README.md).</summary>
    public const double FloatTolerance = 1e-5;

    /// <summary>Asserts that <paramref name="action"/> throws <see cref="InvalidDataException"/> mentioning every fragment, and leaves the parameters as they were.</summary>
    public static InvalidDataException Refuses<T>(IRecurrentModel<T> model, Action action, params string[] fragments) where T : unmanaged
    {
        model.InitializeParameters(seed: 7);
        T[] before = model.Parameters.ToArray();
        InvalidDataException e = Assert.Throws<InvalidDataException>(action);
        foreach (string fragment in fragments)
            Assert.True(e.Message.Contains(fragment, StringComparison.Ordinal), $"The message does not mention \"{fragment}\": {e.Message}");
        Assert.Contains("were not changed", e.Message);
        Assert.Equal(before, model.Parameters.ToArray());
        return e;
    }
}
