using System;
using System.Collections.Generic;
using System.Linq;
using RnnGen.Numerics.Tests.Models;
using Xunit;

namespace RnnGen.Numerics.Tests;

/// <summary>
/// Forward on models wide enough for the packed kernels' loops (alike passes, whole Dense blocks) against a plain
/// scalar implementation of PyTorch's layers in double precision, written here from the equations and reading the
/// model's PyTorch-layout parameters. On a machine without AVX2 the same test checks the portable kernels.
/// </summary>
public class PackedKernelTests
{
    private enum Kind { SimpleRnnTanh, SimpleRnnRelu, Lstm, Gru, Dense }

    private sealed record Layer(Kind Kind, int Size, Activation Activation = Activation.None);

    [Fact]
    public void WideLstmMatchesScalarReference() => Check(new WideLstmFloat(),
        [new(Kind.Lstm, 40), new(Kind.Dense, 150, Activation.Tanh), new(Kind.Dense, 130)], tolerance: 2e-5);

    [Fact]
    public void WideGruDoubleMatchesScalarReference() => Check(new WideGruDouble(),
        [new(Kind.Gru, 20), new(Kind.Dense, 70, Activation.Sigmoid)], tolerance: 1e-12);

    [Fact]
    public void WideStackMatchesScalarReference() => Check(new WideStackFloat(),
        [new(Kind.SimpleRnnRelu, 72), new(Kind.Lstm, 48), new(Kind.Dense, 192, Activation.Relu), new(Kind.Dense, 5, Activation.Softmax)], tolerance: 2e-5);

    /// <summary>The fast activations' error (≤ 2e-6 absolute each) stays far below this through 41 steps of 4 layers.</summary>
    [Fact]
    public void FastActivationsStayCloseToTheScalarReference()
    {
        Layer[] layers = [new(Kind.Lstm, 40), new(Kind.Gru, 24), new(Kind.Dense, 150, Activation.Tanh), new(Kind.Dense, 3, Activation.Sigmoid)];
        Check(new FastActivationsFloat(), layers, tolerance: 5e-5);
        Check(new ExactActivationsFloat(), layers, tolerance: 2e-5);

        // Where the packed kernels run (AVX2), the option is in effect: the outputs differ from the exact model's.
        if (!System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated) return;
        var fast = new FastActivationsFloat();
        var exact = new ExactActivationsFloat();
        fast.InitializeParameters(seed: 3);
        exact.InitializeParameters(seed: 3);
        float[] input = Enumerable.Range(0, 20 * 5).Select(i => MathF.Sin(i * 0.7f)).ToArray();
        float[] a = new float[20 * 3], b = new float[20 * 3];
        fast.Forward(input, a);
        exact.Forward(input, b);
        Assert.False(a.AsSpan().SequenceEqual(b), "FastActivations = true gave the exact model's bits");
    }

    private static void Check<T>(IRecurrentModel<T> model, Layer[] layers, double tolerance) where T : unmanaged
    {
        model.InitializeParameters(seed: 3);
        const int steps = 41; // a 32-step tile and a partial one
        var random = new Random(17);
        double[] inputs = Enumerable.Range(0, steps * model.InputSize).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        double[] parameters = model.Parameters.ToArray().Select(v => Convert.ToDouble(v)).ToArray();

        T[] actual = new T[steps * model.OutputSize];
        model.Forward(inputs.Select(v => (T)Convert.ChangeType(v, typeof(T))).ToArray(), actual);
        double[] expected = Reference(model, layers, parameters, inputs, steps);

        // Normwise relative error per step, as in the PyTorch parity tests.
        for (int t = 0; t < steps; t++)
        {
            double difference = 0, norm = 0;
            for (int o = 0; o < model.OutputSize; o++)
            {
                double e = expected[t * model.OutputSize + o];
                difference += Math.Pow(Convert.ToDouble(actual[t * model.OutputSize + o]) - e, 2);
                norm += e * e;
            }
            double relative = Math.Sqrt(difference) / Math.Max(Math.Sqrt(norm), 1e-30);
            Assert.True(relative <= tolerance, $"step {t}: relative error {relative:E2} > {tolerance:E0}");
        }
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>PyTorch's nn.RNN / nn.LSTM / nn.GRU (reset after) / nn.Linear, one scalar at a time.</summary>
    private static double[] Reference<T>(IRecurrentModel<T> model, Layer[] layers, double[] p, double[] inputs, int steps) where T : unmanaged
    {
        var tensors = new Queue<ParameterInfo>(model.ParameterLayout);
        double[] Next(string suffix)
        {
            ParameterInfo info = tensors.Dequeue();
            Assert.Contains(suffix, info.Name);
            return p.AsSpan(info.Offset, info.Length).ToArray();
        }

        // Per layer: its tensors in ParameterLayout order, and its state.
        var weights = layers.Select(l => l.Kind == Kind.Dense
            ? new[] { Next("weight"), Next("bias") }
            : new[] { Next("weight_ih_l"), Next("weight_hh_l"), Next("bias_ih_l"), Next("bias_hh_l") }).ToArray();
        var hidden = layers.Select(l => new double[l.Size]).ToArray();
        var cells = layers.Select(l => new double[l.Size]).ToArray();

        var outputs = new List<double>();
        for (int t = 0; t < steps; t++)
        {
            double[] x = inputs.AsSpan(t * model.InputSize, model.InputSize).ToArray();
            for (int i = 0; i < layers.Length; i++)
            {
                Layer layer = layers[i];
                double[][] w = weights[i];
                if (layer.Kind == Kind.Dense)
                {
                    x = Affine(w[0], w[1], x, layer.Size);
                    x = layer.Activation switch
                    {
                        Activation.Tanh => x.Select(Math.Tanh).ToArray(),
                        Activation.Sigmoid => x.Select(Sigmoid).ToArray(),
                        Activation.Relu => x.Select(v => Math.Max(v, 0)).ToArray(),
                        Activation.Softmax => Softmax(x),
                        _ => x,
                    };
                    continue;
                }
                int n = layer.Size;
                double[] h = hidden[i], c = cells[i];
                double[] gi = Affine(w[0], w[2], x, w[2].Length), gh = Affine(w[1], w[3], h, w[3].Length);
                var next = new double[n];
                for (int k = 0; k < n; k++)
                {
                    switch (layer.Kind)
                    {
                        case Kind.Lstm: // rows [i, f, g, o]
                            double ig = Sigmoid(gi[k] + gh[k]), fg = Sigmoid(gi[n + k] + gh[n + k]);
                            double gg = Math.Tanh(gi[2 * n + k] + gh[2 * n + k]), og = Sigmoid(gi[3 * n + k] + gh[3 * n + k]);
                            c[k] = fg * c[k] + ig * gg;
                            next[k] = og * Math.Tanh(c[k]);
                            break;
                        case Kind.Gru: // rows [r, z, n]; n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
                            double r = Sigmoid(gi[k] + gh[k]), z = Sigmoid(gi[n + k] + gh[n + k]);
                            double candidate = Math.Tanh(gi[2 * n + k] + r * gh[2 * n + k]);
                            next[k] = (1 - z) * candidate + z * h[k];
                            break;
                        case Kind.SimpleRnnRelu:
                            next[k] = Math.Max(gi[k] + gh[k], 0);
                            break;
                        default:
                            next[k] = Math.Tanh(gi[k] + gh[k]);
                            break;
                    }
                }
                next.CopyTo(h, 0);
                x = next;
            }
            outputs.AddRange(x);
        }
        return outputs.ToArray();
    }

    /// <summary>y = W x + b for W of <paramref name="rows"/> rows, row-major.</summary>
    private static double[] Affine(double[] w, double[] b, double[] x, int rows)
    {
        var y = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            double sum = b[r];
            for (int k = 0; k < x.Length; k++) sum += w[r * x.Length + k] * x[k];
            y[r] = sum;
        }
        return y;
    }

    private static double[] Softmax(double[] x)
    {
        double max = x.Max();
        double[] e = x.Select(v => Math.Exp(v - max)).ToArray();
        double sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }
}
