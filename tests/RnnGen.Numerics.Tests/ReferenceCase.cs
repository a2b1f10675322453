using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace RnnGen.Numerics.Tests;

/// <summary>One scenario of a reference case: input, initial states and PyTorch's outputs and final states.</summary>
internal sealed record Scenario(int Index, int Steps, double[] Input, double[][] H0, double[][]? C0, double[] Output, double[][] Hn, double[][]? Cn);

/// <summary>A case written by tests/reference/make_reference.py: weights file plus expected values in float64.</summary>
internal sealed class ReferenceCase
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "reference");

    public ReferenceCase(string name)
    {
        Name = name;
        WeightsPath = Path.Combine(Folder, name + ".weights.safetensors");
        SafetensorsFile expected = SafetensorsFile.Read(Path.Combine(Folder, name + ".expected.safetensors"));
        Metadata = expected.Metadata;
        Layers = int.Parse(Metadata["layers"]);
        bool lstm = Metadata["cell"] == "lstm";
        var scenarios = new List<Scenario>();
        for (int k = 0; expected.Find($"s{k}.input") is { } input; k++)
        {
            double[][] PerLayer(string what) =>
                Enumerable.Range(0, Layers).Select(j => expected[$"s{k}.{what}.l{j}"].ToDoubleArray()).ToArray();
            scenarios.Add(new Scenario(k, input.Shape[0], input.ToDoubleArray(),
                PerLayer("h0"), lstm ? PerLayer("c0") : null,
                expected[$"s{k}.output"].ToDoubleArray(),
                PerLayer("hn"), lstm ? PerLayer("cn") : null));
        }
        Scenarios = scenarios;
    }

    public string Name { get; }

    public string WeightsPath { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public int Layers { get; }

    public IReadOnlyList<Scenario> Scenarios { get; }

    /// <summary>The 30 cases of the manifest.</summary>
    public static IEnumerable<string> All() =>
        from cell in new[] { "rnn_tanh", "rnn_relu", "lstm", "gru", "gru_rb" }
        from config in Enumerable.Range(1, 6)
        select $"{cell}_c{config}";
}

internal static class Norms
{
    /// <summary>‖actual − expected‖₂ / ‖expected‖₂ (absolute when the expected norm is below 1e-30).</summary>
    public static double RelativeError(ReadOnlySpan<double> actual, ReadOnlySpan<double> expected)
    {
        if (actual.Length != expected.Length) throw new ArgumentException($"length {actual.Length} vs {expected.Length}");
        double difference = 0, norm = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            difference += (actual[i] - expected[i]) * (actual[i] - expected[i]);
            norm += expected[i] * expected[i];
        }
        return norm < 1e-60 ? Math.Sqrt(difference) : Math.Sqrt(difference / norm);
    }

    public static double[] ToDouble<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = Convert.ToDouble(values[i]);
        return result;
    }

    public static T[] From<T>(double[] values) where T : unmanaged =>
        values.Select(v => (T)Convert.ChangeType(v, typeof(T))).ToArray();
}
