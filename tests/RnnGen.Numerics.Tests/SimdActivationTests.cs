using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics;
using Xunit;
using Xunit.Abstractions;

namespace RnnGen.Numerics.Tests;

/// <summary>
/// The packed kernels' sigmoid and tanh (<see cref="Simd"/>) against <see cref="Math"/> in double: the maximum relative
/// error over 2·10⁶ points in [−20, 20] (plus the far tails and special values) stays within the figures documented on
/// <see cref="Simd"/>. Where the exact value is below 1e-30 (float) or 1e-300 (double) the absolute error is checked
/// instead: e^x is clamped at the smallest normals, so σ(x) for x below −87 (−708) stays near 1.6e-38 (3e-308) instead
/// of going subnormal.
/// </summary>
public sealed class SimdActivationTests(ITestOutputHelper output)
{
    private const int Points = 2_000_000;
    private const double FloatTiny = 1e-30;
    private const double DoubleTiny = 1e-300;

    private static IEnumerable<double> Arguments()
    {
        for (int i = 0; i <= Points; i++) yield return -20 + 40.0 * i / Points;
        foreach (double x in new[] { 0.0, -0.0, 1e-30, -1e-30, 1e-8, -1e-8, 30, -30, 50, -50, 90, -90, 200, -200, 800, -800, 1e6, -1e6 })
            yield return x;
    }

    [Fact]
    public void FloatSigmoidAndTanhAreWithinTheirDocumentedError()
    {
        double sigmoid = 0, tanh = 0;
        float[] x = new float[8];
        foreach (double[] batch in Arguments().Chunk(8).Where(b => b.Length == 8))
        {
            for (int i = 0; i < 8; i++) x[i] = (float)batch[i];
            var v = Vector256.Create(x);
            Vector256<float> s = Simd.Sigmoid(v), t = Simd.Tanh(v);
            for (int i = 0; i < 8; i++)
            {
                double exact = x[i];
                sigmoid = Math.Max(sigmoid, Relative(s[i], 1 / (1 + Math.Exp(-exact)), FloatTiny));
                tanh = Math.Max(tanh, Relative(t[i], Math.Tanh(exact), FloatTiny));
            }
        }
        output.WriteLine($"float: sigmoid {sigmoid:E2}, tanh {tanh:E2} (max relative error)");
        Assert.InRange(sigmoid, 0, 2.5e-7);
        Assert.InRange(tanh, 0, 3e-7);
    }

    [Fact]
    public void DoubleSigmoidAndTanhAreWithinTheirDocumentedError()
    {
        double sigmoid = 0, tanh = 0;
        foreach (double[] batch in Arguments().Chunk(4).Where(b => b.Length == 4))
        {
            var v = Vector256.Create(batch);
            Vector256<double> s = Simd.Sigmoid(v), t = Simd.Tanh(v);
            for (int i = 0; i < 4; i++)
            {
                sigmoid = Math.Max(sigmoid, Relative(s[i], Sigmoid(batch[i]), DoubleTiny));
                tanh = Math.Max(tanh, Relative(t[i], Math.Tanh(batch[i]), DoubleTiny));
            }
        }
        output.WriteLine($"double: sigmoid {sigmoid:E2}, tanh {tanh:E2} (max relative error)");
        Assert.InRange(sigmoid, 0, 5e-16);
        Assert.InRange(tanh, 0, 5e-16);
    }

    [Fact]
    public void FastFloatSigmoidAndTanhAreWithinTheirDocumentedError()
    {
        double sigmoid = 0, tanh = 0;
        float[] x = new float[8];
        foreach (double[] batch in Arguments().Chunk(8).Where(b => b.Length == 8))
        {
            for (int i = 0; i < 8; i++) x[i] = (float)batch[i];
            var v = Vector256.Create(x);
            Vector256<float> s = Simd.FastSigmoid(v), t = Simd.FastTanh(v);
            for (int i = 0; i < 8; i++)
            {
                sigmoid = Math.Max(sigmoid, Math.Abs(s[i] - Sigmoid(x[i])));
                tanh = Math.Max(tanh, Math.Abs(t[i] - Math.Tanh(x[i])));
            }
        }
        output.WriteLine($"fast float: sigmoid {sigmoid:E2}, tanh {tanh:E2} (max absolute error)");
        Assert.InRange(sigmoid, 0, 1e-6);
        Assert.InRange(tanh, 0, 2e-6);

        // The limits: infinities and huge arguments give 0, 1 and ±1 to within the same error, never NaN.
        var limits = Vector256.Create(float.PositiveInfinity, float.NegativeInfinity, 1e30f, -1e30f, 100f, -100f, 0f, 88f);
        Vector256<float> ls = Simd.FastSigmoid(limits), lt = Simd.FastTanh(limits);
        float[] sigmoids = [1, 0, 1, 0, 1, 0, 0.5f, 1], tanhs = [1, -1, 1, -1, 1, -1, 0, 1];
        for (int i = 0; i < 8; i++)
        {
            Assert.InRange(Math.Abs(ls[i] - sigmoids[i]), 0, 1e-6);
            Assert.InRange(Math.Abs(lt[i] - tanhs[i]), 0, 2e-6);
        }
    }

    /// <summary>The span overloads give each element the bits of the vector function, the partial last vector included.</summary>
    [Fact]
    public void SpanTanhIsTheVectorTanhElementByElement()
    {
        float[] x = Enumerable.Range(0, 29).Select(i => (float)Math.Sin(i * 1.7) * 9).ToArray();
        var y = new float[29];
        Simd.Tanh(x, y);
        for (int i = 0; i < x.Length; i++) Assert.Equal(Simd.Tanh(Vector256.Create(x[i])).GetElement(0), y[i]);
        double[] xd = x.Select(v => (double)v).ToArray();
        var yd = new double[29];
        Simd.Tanh(xd, yd);
        for (int i = 0; i < xd.Length; i++) Assert.Equal(Simd.Tanh(Vector256.Create(xd[i])).GetElement(0), yd[i]);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => Simd.Tanh(x, new float[28])).ParamName);
    }

    [Fact]
    public void SignsAndLimitsAreExact()
    {
        var x = Vector256.Create(0f, -0f, 100f, -100f, float.PositiveInfinity, float.NegativeInfinity, 1e-30f, -1e-30f);
        Vector256<float> t = Simd.Tanh(x), s = Simd.Sigmoid(x);
        Assert.Equal(new[] { 0f, -0f, 1f, -1f, 1f, -1f, 1e-30f, -1e-30f }, Enumerable.Range(0, 8).Select(i => t[i]));
        Assert.True(float.IsNegative(t[1]));
        Assert.Equal(0.5f, s[0]);
        Assert.Equal(1f, s[2]);
        Assert.Equal(1f, s[4]);
        Assert.InRange(s[3], 0f, 1e-37f);
        Assert.InRange(s[5], 0f, 1e-37f);
    }

    /// <summary>σ(x) in double without overflow for very negative x.</summary>
    private static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    /// <summary>Relative error, or for exact values below <paramref name="tiny"/> the absolute error scaled to fail above 1e-37 / 1e-307.</summary>
    private static double Relative(double actual, double expected, double tiny) =>
        Math.Abs(expected) >= tiny ? Math.Abs(actual - expected) / Math.Abs(expected) : Math.Abs(actual - expected) * (tiny == FloatTiny ? 1e30 : 1e291);
}
