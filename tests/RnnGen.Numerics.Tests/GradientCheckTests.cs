using System;
using System.Collections.Generic;
using System.Linq;
using RnnGen.Numerics.Tests.Models;
using Xunit;

namespace RnnGen.Numerics.Tests;

/// <summary>
/// Central differences in double precision against Backward, independent of PyTorch: every cell and GRU variant, one
/// and two layers, with and without a head, every loss, sizes on and off the vector width; sampled entries of every
/// tensor, of the inputs and of the initial states.
/// </summary>
/// <remarks>
/// Criterion: |analytic − numeric| / max(|analytic|, |numeric|, 1e-3) ≤ 1e-6. Relative where the gradient is large;
/// below 1e-3 it becomes absolute (≤ 1e-9), because with step h = 1e-5 the difference quotient carries round-off of
/// about ε·|L|/h ≈ 1e-11 and truncation of about h²·|L'''| ≈ 1e-10, which a purely relative test on a tiny gradient
/// would misread as an error.
/// </remarks>
public class GradientCheckTests
{
    public enum Loss { WeightedSum, MeanSquaredError, CrossEntropy, CrossEntropyLastStep, BinaryCrossEntropy }

    public static TheoryData<string, Loss> Cases()
    {
        var data = new TheoryData<string, Loss>();
        string[] models = ["CheckLstmGruRb", "CheckGruRelu", "CheckRnnLstmSoftmax", "CheckGruSigmoid",
            "lstm_c2", "gru_c3", "gru_rb_c2", "rnn_tanh_c6", "rnn_relu_c1"];
        foreach (string model in models)
            foreach (Loss loss in Enum.GetValues<Loss>())
                data.Add(model, loss);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardMatchesCentralDifferences(string name, Loss loss)
    {
        IRecurrentModel<double> model = Create(name);
        var random = new Random(name.Length * 31 + (int)loss);
        const int steps = 5;
        double[] x = Enumerable.Range(0, steps * model.InputSize).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        double[][] h0 = Enumerable.Range(0, model.LayerCount).Select(j => Enumerable.Range(0, model.HiddenSize(j)).Select(_ => random.NextDouble() - 0.5).ToArray()).ToArray();
        double[][] c0 = Enumerable.Range(0, model.LayerCount).Select(j => Enumerable.Range(0, model.Cell(j).Length).Select(_ => random.NextDouble() - 0.5).ToArray()).ToArray();
        var objective = new Objective(loss, steps, model.OutputSize, random);

        double Value()
        {
            Seed(model, h0, c0);
            var y = new double[steps * model.OutputSize];
            model.Forward(x, y);
            return objective.Value(y);
        }

        // Analytic gradients.
        Seed(model, h0, c0);
        var outputs = new double[steps * model.OutputSize];
        model.ForwardTraining(x, outputs);
        var dy = new double[outputs.Length];
        objective.Value(outputs, dy);
        model.ZeroGradients();
        var dx = new double[x.Length];
        model.Backward(dy, dx);
        double[] gradients = model.Gradients.ToArray();
        double[][] dh0 = Enumerable.Range(0, model.LayerCount).Select(j => model.InitialHiddenGradient(j).ToArray()).ToArray();
        double[][] dc0 = Enumerable.Range(0, model.LayerCount).Select(j => model.InitialCellGradient(j).ToArray()).ToArray();

        var failures = new List<string>();
        void Check(string what, double analytic, Func<double> get, Action<double> set)
        {
            const double h = 1e-5;
            double original = get();
            set(original + h);
            double plus = Value();
            set(original - h);
            double minus = Value();
            set(original);
            double numeric = (plus - minus) / (2 * h);
            double error = Math.Abs(analytic - numeric) / Math.Max(Math.Max(Math.Abs(analytic), Math.Abs(numeric)), 1e-3);
            if (!(error <= 1e-6)) failures.Add($"{what}: analytic {analytic:e6}, numeric {numeric:e6}, error {error:e2}");
        }

        foreach (ParameterInfo p in model.ParameterLayout)
            foreach (int i in Sample(random, p.Length, 6))
                Check($"{p.Name}[{i}]", gradients[p.Offset + i], () => model.Parameters[p.Offset + i], v => model.Parameters[p.Offset + i] = v);
        foreach (int i in Sample(random, x.Length, 6))
            Check($"x[{i}]", dx[i], () => x[i], v => x[i] = v);
        for (int j = 0; j < model.LayerCount; j++)
        {
            int layer = j;
            foreach (int i in Sample(random, h0[j].Length, 3))
                Check($"h0[{layer}][{i}]", dh0[layer][i], () => h0[layer][i], v => h0[layer][i] = v);
            foreach (int i in Sample(random, c0[j].Length, 3))
                Check($"c0[{layer}][{i}]", dc0[layer][i], () => c0[layer][i], v => c0[layer][i] = v);
        }
        Assert.True(failures.Count == 0, $"{name} with {loss}:\n" + string.Join("\n", failures));
    }

    internal static IRecurrentModel<double> Create(string name)
    {
        if (name.Contains('_'))
        {
            IRecurrentModel<double> reference = PyTorchParityTests.Create<double>(name, "Double");
            reference.LoadSafetensors(new ReferenceCase(name).WeightsPath);
            return reference;
        }
        var model = (IRecurrentModel<double>)Activator.CreateInstance(typeof(CheckGruRelu).Assembly.GetType(typeof(CheckGruRelu).Namespace + "." + name)!)!;
        model.InitializeParameters(seed: 11);
        return model;
    }

    private static void Seed(IRecurrentModel<double> model, double[][] h0, double[][] c0)
    {
        model.ResetState();
        for (int j = 0; j < model.LayerCount; j++)
        {
            h0[j].CopyTo(model.Hidden(j));
            c0[j].CopyTo(model.Cell(j));
        }
    }

    private static IEnumerable<int> Sample(Random random, int length, int count) =>
        length <= count ? Enumerable.Range(0, length) : Enumerable.Range(0, count).Select(_ => random.Next(length)).Distinct();

    /// <summary>The scalar being differentiated, for each loss, with fixed random targets.</summary>
    private sealed class Objective(Loss loss, int steps, int outputs, Random random)
    {
        private readonly double[] _weights = Enumerable.Range(0, steps * outputs).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        private readonly double[] _probabilities = Enumerable.Range(0, steps * outputs).Select(_ => random.NextDouble()).ToArray();
        private readonly int[] _classes = Enumerable.Range(0, steps).Select(_ => random.Next(outputs)).ToArray();

        public double Value(double[] y, double[]? gradient = null)
        {
            gradient ??= new double[y.Length];
            switch (loss)
            {
                case Loss.WeightedSum:
                    _weights.CopyTo(gradient, 0);
                    return y.Zip(_weights, (a, b) => a * b).Sum();
                case Loss.MeanSquaredError: return Losses.MeanSquaredError<double>(y, _weights, gradient);
                case Loss.CrossEntropy: return Losses.SoftmaxCrossEntropy<double>(y, _classes, outputs, gradient);
                case Loss.CrossEntropyLastStep: return Losses.SoftmaxCrossEntropyLastStep<double>(y, [_classes[^1]], outputs, gradient);
                default: return Losses.BinaryCrossEntropyWithLogits<double>(y, _probabilities, gradient);
            }
        }
    }
}
