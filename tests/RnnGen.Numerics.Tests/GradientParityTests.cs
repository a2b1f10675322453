using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;

namespace RnnGen.Numerics.Tests;

/// <summary>
/// BPTT against PyTorch autograd (tests/reference/data/{case}.grad.safetensors): L = Σ y ⊙ G, so Backward(G) must give
/// PyTorch's dL/dθ for every tensor, dL/dx and dL/dh₀ (dL/dc₀), for all 30 cases, in double and float.
/// </summary>
public class GradientParityTests
{
    /// <summary>Double: 1e-9 normwise relative (the bound), or 2e-7 where the reference stored F32 gradients (c4, c5).</summary>
    private const double DoubleTolerance = 1e-9;
    private const double RoundedReferenceTolerance = 2e-7;

    /// <summary>Float: 1e-4, PyTorch float32 itself is within 2e-6 of float64 on gradients (shared/README), BPTT over 17 steps adds more.</summary>
    private const double FloatTolerance = 1e-4;

    public static TheoryData<string> Cases => new(ReferenceCase.All());

    [Theory]
    [MemberData(nameof(Cases))]
    public void DoubleGradientsMatchPyTorch(string name) => Check<double>(name, "Double", DoubleTolerance);

    [Theory]
    [MemberData(nameof(Cases))]
    public void FloatGradientsMatchPyTorch(string name) => Check<float>(name, "Float", FloatTolerance);

    private static void Check<T>(string name, string suffix, double tolerance) where T : unmanaged
    {
        var reference = new ReferenceCase(name);
        SafetensorsFile gradients = SafetensorsFile.Read(Path.Combine(ReferenceCase.Folder, name + ".grad.safetensors"));
        bool roundedParameters = gradients.Metadata["param_grad_dtype"] == "F32";
        IRecurrentModel<T> model = PyTorchParityTests.Create<T>(name, suffix);
        model.LoadSafetensors(reference.WeightsPath);

        var errors = new List<string>();
        int checkedScenarios = 0;
        foreach (Scenario s in reference.Scenarios)
        {
            if (gradients.Find($"s{s.Index}.G") is not { } g) continue;
            checkedScenarios++;
            PyTorchParityTests.Seed(model, s);
            var outputs = new T[s.Steps * model.OutputSize];
            model.ForwardTraining(Norms.From<T>(s.Input), outputs);
            Assert.Equal(s.Steps, model.RecordedSteps);
            model.ZeroGradients();
            var inputGradients = new T[s.Input.Length];
            model.Backward(Norms.From<T>(g.ToDoubleArray()), inputGradients);

            double parameterTolerance = roundedParameters && typeof(T) == typeof(double) ? RoundedReferenceTolerance : tolerance;
            foreach (ParameterInfo p in model.ParameterLayout)
                Compare(errors, $"s{s.Index} d{p.Name}", model.Gradient(p.Name).ToArray(), gradients[$"s{s.Index}.grad.{p.Name}"].ToDoubleArray(), parameterTolerance);
            Compare(errors, $"s{s.Index} dx", inputGradients, gradients[$"s{s.Index}.grad.input"].ToDoubleArray(), tolerance);
            for (int j = 0; j < model.LayerCount; j++)
            {
                Compare(errors, $"s{s.Index} dh0 layer {j}", model.InitialHiddenGradient(j).ToArray(), gradients[$"s{s.Index}.grad.h0.l{j}"].ToDoubleArray(), tolerance);
                if (gradients.Find($"s{s.Index}.grad.c0.l{j}") is { } c0)
                    Compare(errors, $"s{s.Index} dc0 layer {j}", model.InitialCellGradient(j).ToArray(), c0.ToDoubleArray(), tolerance);
                else
                    Assert.True(model.InitialCellGradient(j).IsEmpty);
            }
        }
        Assert.True(checkedScenarios > 0, "no gradient scenario in the reference file");
        Assert.True(errors.Count == 0, $"{name} ({typeof(T).Name}) gradients differ from PyTorch:\n" + string.Join("\n", errors));
    }

    private static void Compare<T>(List<string> errors, string what, T[] actual, double[] expected, double tolerance) where T : unmanaged
    {
        double error = Norms.RelativeError(Norms.ToDouble<T>(actual), expected);
        if (!(error <= tolerance)) errors.Add($"  {what}: relative error {error:e2} (tolerance {tolerance:g})");
    }
}
