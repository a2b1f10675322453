using System;
using System.IO;
using System.Linq;
using Xunit;

namespace RnnGen.Numerics.Tests;

/// <summary>Losses, optimizers and clipping against PyTorch 1.13 (tests/reference/data/losses and optimizers.safetensors).</summary>
public class LossAndOptimizerTests
{
    private static readonly SafetensorsFile LossData = SafetensorsFile.Read(Path.Combine(ReferenceCase.Folder, "losses.safetensors"));
    private static readonly SafetensorsFile OptimizerData = SafetensorsFile.Read(Path.Combine(ReferenceCase.Folder, "optimizers.safetensors"));

    [Fact]
    public void MeanSquaredErrorMatchesPyTorch()
    {
        double[] x = LossData["x"].ToDoubleArray();
        var gradient = new double[x.Length];
        double value = Losses.MeanSquaredError<double>(x, LossData["mse.target"].ToDoubleArray(), gradient);
        AssertClose(LossData["mse.value"].ToDoubleArray()[0], value, 1e-14);
        AssertClose(LossData["mse.grad"].ToDoubleArray(), gradient, 1e-14);
    }

    [Theory]
    [InlineData("bce", "x")]
    [InlineData("bce_soft", "x")]
    [InlineData("bce_big", "bce_big.x")]
    public void BinaryCrossEntropyWithLogitsMatchesPyTorch(string name, string logits)
    {
        double[] x = LossData[logits].ToDoubleArray();
        var gradient = new double[x.Length];
        double value = Losses.BinaryCrossEntropyWithLogits<double>(x, LossData[$"{name}.target"].ToDoubleArray(), gradient);
        AssertClose(LossData[$"{name}.value"].ToDoubleArray()[0], value, 1e-13);
        AssertClose(LossData[$"{name}.grad"].ToDoubleArray(), gradient, 1e-13);
        Assert.True(double.IsFinite(value));
    }

    [Fact]
    public void SoftmaxCrossEntropyMatchesPyTorch()
    {
        double[] x = LossData["x"].ToDoubleArray();
        int[] targets = LossData["ce.target"].ToDoubleArray().Select(t => (int)t).ToArray();
        var gradient = new double[x.Length];
        double value = Losses.SoftmaxCrossEntropy<double>(x, targets, 5, gradient);
        AssertClose(LossData["ce.value"].ToDoubleArray()[0], value, 1e-14);
        AssertClose(LossData["ce.grad"].ToDoubleArray(), gradient, 1e-14);

        value = Losses.SoftmaxCrossEntropyLastStep<double>(x, [targets[^1]], 5, gradient);
        AssertClose(LossData["ce_last.value"].ToDoubleArray()[0], value, 1e-14);
        AssertClose(LossData["ce_last.grad"].ToDoubleArray(), gradient, 1e-14);
    }

    [Fact]
    public void SoftmaxCrossEntropyIsStableForHugeLogits()
    {
        double[] x = LossData["ce_big.x"].ToDoubleArray();
        var gradient = new double[x.Length];
        double value = Losses.SoftmaxCrossEntropy<double>(x, [(int)LossData["ce_big.target"].ToDoubleArray()[0]], 5, gradient);
        AssertClose(LossData["ce_big.value"].ToDoubleArray()[0], value, 1e-12);
        AssertClose(LossData["ce_big.grad"].ToDoubleArray(), gradient, 1e-12);
        float[] xf = x.Select(v => (float)v).ToArray();
        var gf = new float[5];
        Assert.Equal(500f, Losses.SoftmaxCrossEntropy<float>(xf, [3], 5, gf));
    }

    [Fact]
    public void LossArgumentsAreChecked()
    {
        var g = new double[10];
        Assert.Equal("targets", Assert.Throws<ArgumentException>(() => Losses.MeanSquaredError<double>(new double[10], new double[9], g)).ParamName);
        Assert.Equal("classTargets", Assert.Throws<ArgumentOutOfRangeException>(() => Losses.SoftmaxCrossEntropy<double>(new double[10], [0, 5], 5, g)).ParamName);
        Assert.Equal("classTargets", Assert.Throws<ArgumentException>(() => Losses.SoftmaxCrossEntropy<double>(new double[10], [0], 5, g)).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => Losses.SoftmaxCrossEntropy<double>(new double[9], [0, 1], 5, new double[9])).ParamName);
    }

    public static TheoryData<string> OptimizerNames => new(
        "sgd", "sgd_momentum", "sgd_nesterov", "sgd_wd", "adam", "adam_wd", "adamw", "adamw_wd",
        "adam_clip", "adamw_clip", "sgd_momentum_clip", "adam_lr_schedule");

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void DoubleOptimizerMatchesPyTorch(string name) => RunOptimizer<double>(name, 1e-12);

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void FloatOptimizerMatchesPyTorch(string name) => RunOptimizer<float>(name, 1e-5);

    private static IOptimizer<T> Create<T>(string name, int n) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        T F(double v) => T.CreateChecked(v);
        return name.Replace("_clip", "") switch
        {
            "sgd" => new Sgd<T>(n, F(0.1)),
            "sgd_momentum" => new Sgd<T>(n, F(0.1), momentum: F(0.9)),
            "sgd_nesterov" => new Sgd<T>(n, F(0.1), momentum: F(0.9), nesterov: true),
            "sgd_wd" => new Sgd<T>(n, F(0.1), momentum: F(0.9), dampening: F(0.1), weightDecay: F(0.01)),
            "adam" or "adam_lr_schedule" => new Adam<T>(n, learningRate: 0.01),
            "adam_wd" => new Adam<T>(n, learningRate: 0.01, weightDecay: 0.01),
            "adamw" => new AdamW<T>(n, learningRate: 0.01),
            "adamw_wd" => new AdamW<T>(n, learningRate: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.1),
            _ => throw new ArgumentException(name),
        };
    }

    private static void RunOptimizer<T>(string name, double tolerance) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        T[] p = Norms.From<T>(OptimizerData["p0"].ToDoubleArray());
        IOptimizer<T> optimizer = Create<T>(name, p.Length);
        double[] rates = [0.01, 0.005, 0.0025];
        for (int step = 1; step <= 3; step++)
        {
            T[] g = Norms.From<T>(OptimizerData[$"g{step}"].ToDoubleArray());
            if (name.EndsWith("_clip"))
            {
                T norm = GradientClipping.ClipByGlobalNorm<T>(g, T.CreateChecked(0.5));
                AssertClose(OptimizerData[$"{name}.norm{step}"].ToDoubleArray()[0], double.CreateChecked(norm), tolerance);
            }
            if (name == "adam_lr_schedule") optimizer.LearningRate = T.CreateChecked(rates[step - 1]);
            optimizer.Step(p, g);
            Assert.Equal(step, optimizer.Steps);
            double error = Norms.RelativeError(Norms.ToDouble<T>(p), OptimizerData[$"{name}.p{step}"].ToDoubleArray());
            Assert.True(error <= tolerance, $"{name} step {step}: relative error {error:e2}");
        }
    }

    [Fact]
    public void ClippingLeavesSmallGradientsAlone()
    {
        double[] g = [0.1, -0.2, 0.2];
        double norm = GradientClipping.ClipByGlobalNorm<double>(g, 1.0);
        AssertClose(0.3, norm, 1e-15);
        Assert.Equal([0.1, -0.2, 0.2], g);
    }

    [Fact]
    public void OptimizerArgumentsAreChecked()
    {
        var adam = new Adam<double>(3);
        Assert.Equal("parameters", Assert.Throws<ArgumentException>(() => adam.Step(new double[2], new double[3])).ParamName);
        Assert.Equal("gradients", Assert.Throws<ArgumentException>(() => adam.Step(new double[3], new double[4])).ParamName);
        Assert.Throws<ArgumentException>(() => new Sgd<double>(3, 0.1, nesterov: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam<double>(3, beta1: 1.0));
    }

    private static void AssertClose(double expected, double actual, double tolerance) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)), $"expected {expected:R}, got {actual:R}");

    private static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        double error = Norms.RelativeError(actual, expected);
        Assert.True(error <= tolerance, $"relative error {error:e2}");
    }
}
