using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using RnnGen.Numerics.Tests.Models;
using Xunit;

namespace RnnGen.Numerics.Tests;

/// <summary>
/// The embedding input layer against PyTorch (tests/reference/make_embedding_reference.py), and dropout: PyTorch's
/// semantics (inverted, training only, on what the next layer reads), seeded masks, gradients with a fixed mask.
/// </summary>
public class EmbeddingAndDropoutTests
{
    public static TheoryData<string, string, double> EmbeddingCases => new()
    {
        { "gru", "Double", 1e-10 }, { "lstm", "Double", 1e-10 }, { "gru", "Float", 1e-5 }, { "lstm", "Float", 1e-5 },
    };

    [Theory]
    [MemberData(nameof(EmbeddingCases))]
    public void EmbeddingModelMatchesPyTorch(string cell, string suffix, double tolerance)
    {
        if (suffix == "Double") Check<double>(cell, suffix, tolerance);
        else Check<float>(cell, suffix, tolerance * 10);
    }

    private static void Check<T>(string cell, string suffix, double tolerance) where T : unmanaged
    {
        string name = $"embedding_{cell}";
        SafetensorsFile expected = SafetensorsFile.Read(Path.Combine(ReferenceCase.Folder, name + ".expected.safetensors"));
        var type = typeof(EmbeddingGruFloat).Assembly.GetType($"{typeof(EmbeddingGruFloat).Namespace}.Embedding{char.ToUpperInvariant(cell[0])}{cell[1..]}{suffix}")!;
        var model = (ITokenModel<T>)Activator.CreateInstance(type)!;
        model.LoadSafetensors(Path.Combine(ReferenceCase.Folder, name + ".weights.safetensors"));
        int[] tokens = expected["tokens"].ToDoubleArray().Select(t => (int)t).ToArray();

        var outputs = new T[tokens.Length * model.OutputSize];
        model.Forward(tokens, outputs);
        Assert.True(Norms.RelativeError(Norms.ToDouble<T>(outputs), expected["output"].ToDoubleArray()) <= tolerance);

        // Step on tokens agrees with Forward on tokens.
        model.ResetState();
        var stepped = new T[outputs.Length];
        for (int t = 0; t < tokens.Length; t++) model.Step(tokens[t], stepped.AsSpan(t * model.OutputSize, model.OutputSize));
        Assert.Equal(outputs, stepped);

        // Gradients, the embedding's included.
        model.ResetState();
        model.ForwardTraining(tokens, outputs);
        model.ZeroGradients();
        model.Backward(Norms.From<T>(expected["G"].ToDoubleArray()));
        var errors = new List<string>();
        foreach (ParameterInfo p in model.ParameterLayout)
        {
            double error = Norms.RelativeError(Norms.ToDouble<T>(model.Gradient(p.Name)), expected[$"grad.{p.Name}"].ToDoubleArray());
            if (!(error <= tolerance * 10)) errors.Add($"{p.Name}: {error:e2}");
        }
        Assert.True(errors.Count == 0, string.Join(", ", errors));
        Assert.Equal("embedding.weight", model.ParameterLayout[0].Name);
    }

    [Fact]
    public void TokensOutOfRangeAreRefused()
    {
        var model = new EmbeddingGruFloat();
        var output = new float[EmbeddingGruFloat.OutputSize];
        Assert.Equal("token", Assert.Throws<ArgumentOutOfRangeException>(() => model.Step(11, output)).ParamName);
        Assert.Equal("token", Assert.Throws<ArgumentOutOfRangeException>(() => model.Step(-1, output)).ParamName);
        Assert.Equal("tokens", Assert.Throws<ArgumentOutOfRangeException>(() => model.Forward([1, 2, 40], new float[33])).ParamName);
        Assert.Equal("tokens", Assert.Throws<ArgumentOutOfRangeException>(() => model.ForwardTraining([1, 12], new float[22])).ParamName);
        Assert.Equal(11, EmbeddingGruFloat.VocabularySize);
    }

    [Fact]
    public void EmbeddingTrainingStepAllocatesNothing()
    {
        var model = new EmbeddingLstmFloat();
        model.InitializeParameters(seed: 1);
        var optimizer = new Adam<float>(EmbeddingLstmFloat.ParameterCount);
        int[] tokens = [1, 4, 2, 9, 10, 0];
        int[] next = [4, 2, 9, 10, 0, 3];
        model.TrainStep(tokens, next, optimizer);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) model.TrainStep(tokens, next, optimizer);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    // ── Dropout ──

    [Fact]
    public void InferenceIgnoresDropout()
    {
        var with = new CheckDropout();
        var without = new CheckDropoutTwinWithout();
        with.InitializeParameters(seed: 3);
        with.Parameters.CopyTo(without.Parameters);
        double[] x = Enumerable.Range(0, 24).Select(i => Math.Sin(i * 0.7)).ToArray();
        var a = new double[24];
        var b = new double[24];
        with.Forward(x, a);
        without.Forward(x, b);
        Assert.Equal(b, a);

        // The training forward does drop, and the same seed gives the same masks.
        var trainA = new double[24];
        var trainB = new double[24];
        with.ResetState();
        with.SeedDropout(5);
        with.ForwardTraining(x, trainA);
        with.ResetState();
        with.SeedDropout(5);
        with.ForwardTraining(x, trainB);
        Assert.Equal(trainA, trainB);
        Assert.NotEqual(a, trainA);
    }

    [Fact]
    public void DropoutIsInvertedWithTheRightRate()
    {
        // No head: the output is the dropped top layer, so each value is 0 or h / (1 − p), and the state is not dropped.
        var model = new DropoutStatistics();
        model.InitializeParameters(seed: 2);
        float[] x = Enumerable.Range(0, 400).Select(i => MathF.Cos(i * 0.37f)).ToArray();
        var plain = new float[200 * 50];
        var dropped = new float[200 * 50];
        model.Forward(x, plain);
        model.ResetState();
        model.ForwardTraining(x, dropped);
        // Dropout leaves the carried state alone: it ends as after Forward (same kernels; compared with a small tolerance).
        float[] state = model.Hidden(0).ToArray();
        for (int i = 0; i < 50; i++) Assert.Equal(plain[^50..][i], state[i], 1e-6f);
        int zeros = 0;
        for (int i = 0; i < plain.Length; i++)
        {
            if (dropped[i] == 0 && plain[i] != 0) zeros++;
            else Assert.Equal(plain[i] / 0.75f, dropped[i], 1e-5f * (1 + Math.Abs(plain[i])));
        }
        double rate = zeros / (double)plain.Length;
        Assert.InRange(rate, 0.23, 0.27);
    }

    [Fact]
    public void GradientsWithAFixedMaskMatchCentralDifferences()
    {
        var model = new CheckDropout();
        model.InitializeParameters(seed: 8);
        var random = new Random(8);
        const int steps = 6;
        double[] x = Enumerable.Range(0, steps * 3).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        double[] g = Enumerable.Range(0, steps * 3).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var y = new double[g.Length];

        double Value()
        {
            model.ResetState();
            model.SeedDropout(21);
            model.ForwardTraining(x, y);
            return y.Zip(g, (a, b) => a * b).Sum();
        }

        Value();
        model.ZeroGradients();
        var dx = new double[x.Length];
        model.Backward(g, dx);
        double[] analytic = model.Gradients.ToArray();
        var failures = new List<string>();
        void Check(string what, double a, Func<double> get, Action<double> set)
        {
            const double h = 1e-5;
            double original = get();
            set(original + h);
            double plus = Value();
            set(original - h);
            double minus = Value();
            set(original);
            double numeric = (plus - minus) / (2 * h);
            double error = Math.Abs(a - numeric) / Math.Max(Math.Max(Math.Abs(a), Math.Abs(numeric)), 1e-3);
            if (!(error <= 1e-6)) failures.Add($"{what}: {a:e6} vs {numeric:e6}");
        }
        for (int i = 0; i < analytic.Length; i += 7)
        {
            int index = i;
            Check($"θ[{index}]", analytic[index], () => model.Parameters[index], v => model.Parameters[index] = v);
        }
        for (int i = 0; i < x.Length; i++)
        {
            int index = i;
            Check($"x[{index}]", dx[index], () => x[index], v => x[index] = v);
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
