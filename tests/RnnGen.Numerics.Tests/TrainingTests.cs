using System;
using System.Linq;
using RnnGen.Numerics.Tests.Models;
using Xunit;

namespace RnnGen.Numerics.Tests;

/// <summary>Training for real, allocation-free steps, truncated BPTT, argument checks and initialization.</summary>
public class TrainingTests
{
    // ── Training works: next-step prediction of a noisy sine, and remembering the first bit of a sequence ──

    private static (float[] Inputs, float[] Targets) NoisySine(int length, int seed)
    {
        var random = new Random(seed);
        float[] wave = Enumerable.Range(0, length + 1).Select(t => MathF.Sin(0.2f * t) + 0.05f * (float)(random.NextDouble() * 2 - 1)).ToArray();
        return (wave[..^1], wave[1..]);
    }

    private static float HeldOutMse<TModel>(TModel model, float[] inputs, float[] targets) where TModel : IRecurrentModel<float>
    {
        model.ResetState();
        var outputs = new float[inputs.Length];
        model.Forward(inputs, outputs);
        // Skip the first 16 steps while the state warms up.
        return outputs.Skip(16).Zip(targets.Skip(16), (y, t) => (y - t) * (y - t)).Average();
    }

    [Fact]
    public void LstmLearnsNoisySine() => LearnsNoisySine(new SineLstm());

    [Fact]
    public void GruLearnsNoisySine() => LearnsNoisySine(new SineGru());

    private static void LearnsNoisySine<TModel>(TModel model) where TModel : IRecurrentModel<float>
    {
        model.InitializeParameters(seed: 1);
        (float[] trainX, float[] trainY) = NoisySine(2000, seed: 2);
        (float[] testX, float[] testY) = NoisySine(400, seed: 3);
        float before = HeldOutMse(model, testX, testY);
        var optimizer = new Adam<float>(model.Parameters.Length, learningRate: 0.01);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            model.ResetState();
            // Consecutive 32-step windows: the state carries on, the gradient stops at each window (truncated BPTT).
            for (int start = 0; start + 32 <= trainX.Length; start += 32)
                model.TrainStep(trainX.AsSpan(start, 32), trainY.AsSpan(start, 32), optimizer, maxGradientNorm: 1f);
        }
        float after = HeldOutMse(model, testX, testY);
        // The noise alone costs about 0.0017 (two draws of ±0.05 uniform); an untrained model is near 0.5.
        Assert.True(before > 0.1f, $"untrained held-out MSE {before}");
        Assert.True(after < 0.01f, $"trained held-out MSE {after} (untrained {before})");
    }

    [Fact]
    public void GruLearnsToRememberTheFirstBit()
    {
        // Sequence classification with cross-entropy on the last step: the class is the first of 10 random bits.
        var model = new FirstBitGru();
        model.InitializeParameters(seed: 5);
        var optimizer = new Adam<float>(model.Parameters.Length, learningRate: 0.01);
        var random = new Random(6);
        float[] Sequence(out int first)
        {
            float[] bits = Enumerable.Range(0, 10).Select(_ => (float)random.Next(2)).ToArray();
            first = (int)bits[0];
            return bits;
        }
        for (int i = 0; i < 4000; i++)
        {
            float[] x = Sequence(out int label);
            model.ResetState();
            model.TrainStep(x, [label], optimizer, lastStepOnly: true, maxGradientNorm: 1f);
        }
        int correct = 0;
        var y = new float[20];
        for (int i = 0; i < 200; i++)
        {
            float[] x = Sequence(out int label);
            model.ResetState();
            model.Forward(x, y);
            if ((y[18] > y[19] ? 0 : 1) == label) correct++;
        }
        Assert.True(correct >= 190, $"held-out accuracy {correct}/200 (chance is 100)");
    }

    // ── No allocation per training step ──

    [Fact]
    public void TrainStepAllocatesNothingAfterWarmUp()
    {
        var model = new CheckLstmGruRb();
        model.InitializeParameters(seed: 3);
        var optimizer = new AdamW<double>(CheckLstmGruRb.ParameterCount);
        double[] x = Enumerable.Range(0, 8 * CheckLstmGruRb.InputSize).Select(i => Math.Sin(i)).ToArray();
        double[] y = Enumerable.Range(0, 8 * CheckLstmGruRb.OutputSize).Select(i => Math.Cos(i)).ToArray();
        double[] dx = new double[x.Length];
        model.TrainStep(x, y, optimizer, LossFunction.MeanSquaredError, 1.0);
        model.Backward(y, dx);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            model.TrainStep(x, y, optimizer, LossFunction.MeanSquaredError, 1.0);
            model.ForwardTraining(x, y.AsSpan());
            model.Backward(y, dx);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    // ── Truncated BPTT: windows continue the state; the gradient stops at the window's start ──

    [Fact]
    public void ConsecutiveWindowsContinueTheState()
    {
        var model = new SineLstm();
        model.InitializeParameters(seed: 9);
        (float[] x, _) = NoisySine(64, seed: 1);
        var whole = new float[64];
        model.Forward(x, whole);

        model.ResetState();
        var windows = new float[64];
        model.ForwardTraining(x.AsSpan(0, 32), windows.AsSpan(0, 32));
        model.ForwardTraining(x.AsSpan(32, 32), windows.AsSpan(32, 32));
        // The same recurrent kernels; the head runs on the packed weights in Forward, on PyTorch's layout when training: equal up to float rounding.
        for (int i = 0; i < whole.Length; i++) Assert.Equal(whole[i], windows[i], 1e-6f);

        // The second window's backward reaches its initial state (the first window's final state) and stops there.
        model.ZeroGradients();
        model.Backward(Enumerable.Repeat(1f, 32).ToArray());
        Assert.Contains(model.InitialHiddenGradient(0).ToArray(), g => g != 0);
        Assert.Contains(model.InitialCellGradient(0).ToArray(), g => g != 0);
    }

    // ── Argument checks ──

    [Fact]
    public void TooLongASequenceIsRefused()
    {
        var model = new SineLstm();
        var e = Assert.Throws<ArgumentException>(() => model.ForwardTraining(new float[33], new float[33]));
        Assert.Equal("inputs", e.ParamName);
        Assert.Contains("SequenceLength = 32", e.Message);
        Assert.Throws<ArgumentException>(() => model.TrainStep(new float[33], new float[33], new Sgd<float>(SineLstm.ParameterCount, 0.1f)));
    }

    [Fact]
    public void BackwardNeedsARecordingOfTheRightLength()
    {
        var model = new SineLstm();
        Assert.Throws<InvalidOperationException>(() => model.Backward(new float[4]));
        model.ForwardTraining(new float[4], new float[4]);
        Assert.Equal("outputGradients", Assert.Throws<ArgumentException>(() => model.Backward(new float[5])).ParamName);
        Assert.Equal("inputGradients", Assert.Throws<ArgumentException>(() => model.Backward(new float[4], new float[3])).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => model.Gradient("rnn.nope")).ParamName);
        Assert.Equal(SineLstm.ParameterCount, model.Gradients.Length);
        Assert.Equal(64, model.Gradient("rnn.weight_ih_l0").Length);
    }

    [Fact]
    public void GradientsAccumulateUntilZeroed()
    {
        var model = new SineGru();
        model.InitializeParameters(seed: 4);
        float[] x = [0.5f, -0.25f, 1f];
        model.ForwardTraining(x, new float[3]);
        model.Backward([1f, 1f, 1f]);
        float[] once = model.Gradients.ToArray();
        model.Backward([1f, 1f, 1f]);
        float[] twice = model.Gradients.ToArray();
        for (int i = 0; i < once.Length; i++) Assert.Equal(2 * once[i], twice[i], 1e-5f * (1 + Math.Abs(once[i])));
        model.ZeroGradients();
        Assert.All(model.Gradients.ToArray(), g => Assert.Equal(0f, g));
    }

    // ── Initialization ──

    [Fact]
    public void InitializationIsDeterministicAndWithinPyTorchBounds()
    {
        var a = new CheckLstmGruRb();
        var b = new CheckLstmGruRb();
        a.InitializeParameters(seed: 42);
        b.InitializeParameters(seed: 42);
        Assert.Equal(a.Parameters.ToArray(), b.Parameters.ToArray());
        b.InitializeParameters(seed: 43);
        Assert.NotEqual(a.Parameters.ToArray(), b.Parameters.ToArray());

        // A fixed value pins the generator across machines and versions (SplitMix64 is fully specified).
        Assert.Equal(a.Parameters[0], new CheckLstmGruRb().Also(m => m.InitializeParameters(42)).Parameters[0]);
        Assert.All(a.Parameter("rnn.weight_hh_l0").ToArray(), w => Assert.InRange(Math.Abs(w), 0, 1 / Math.Sqrt(5)));
        Assert.All(a.Parameter("rnn.bias_ih_l1").ToArray(), w => Assert.InRange(Math.Abs(w), 0, 1 / Math.Sqrt(7)));
        Assert.All(a.Parameter("head.0.weight").ToArray(), w => Assert.InRange(Math.Abs(w), 0, 1 / Math.Sqrt(7)));
        Assert.All(a.Parameter("head.1.bias").ToArray(), w => Assert.InRange(Math.Abs(w), 0, 1 / Math.Sqrt(4)));

        // Uniform on ±b has variance b²/3.
        var big = new SineLstm();
        big.InitializeParameters(seed: 1);
        float[] w = big.Parameter("rnn.weight_hh_l0").ToArray();
        double variance = w.Select(v => (double)v * v).Average();
        Assert.InRange(variance, 0.9 / 48, 1.1 / 48);
    }

    [Fact]
    public void OrthogonalXavierAndForgetBiasOptions()
    {
        var model = new CheckLstmGruRb();
        model.InitializeParameters(seed: 7, new InitializationOptions
        {
            InputWeights = WeightInitialization.XavierUniform,
            RecurrentWeights = WeightInitialization.Orthogonal,
            LstmForgetGateBias = 1.0,
        });
        double[] recurrent = model.Parameter("rnn.weight_hh_l0").ToArray();
        for (int gate = 0; gate < 4; gate++)
            for (int i = 0; i < 5; i++)
                for (int j = 0; j < 5; j++)
                {
                    double dot = 0;
                    for (int k = 0; k < 5; k++) dot += recurrent[gate * 25 + i * 5 + k] * recurrent[gate * 25 + j * 5 + k];
                    Assert.Equal(i == j ? 1 : 0, dot, 1e-12);
                }
        Assert.All(model.Parameter("rnn.bias_ih_l0").Slice(5, 5).ToArray(), b => Assert.Equal(1.0, b));
        Assert.All(model.Parameter("rnn.bias_hh_l0").Slice(5, 5).ToArray(), b => Assert.Equal(0.0, b));
        double xavier = Math.Sqrt(6.0 / (3 + 20));
        Assert.All(model.Parameter("rnn.weight_ih_l0").ToArray(), v => Assert.InRange(Math.Abs(v), 0, xavier));
    }
}

internal static class Fluent
{
    public static T Also<T>(this T value, Action<T> action)
    {
        action(value);
        return value;
    }
}
