using System;
using System.Collections.Generic;
using System.Linq;
using RnnGen.Numerics.Tests.Models;
using Xunit;

namespace RnnGen.Numerics.Tests;

/// <summary>
/// Every reference case from tests/reference (PyTorch float64, and an independent numpy reset-before GRU checked
/// against PyTorch's GRU), loaded from safetensors, in double and float, through Forward and through a Step loop.
/// </summary>
public class PyTorchParityTests
{
    /// <summary>Double must match PyTorch's float64 to rounding: ≤ 1e-10 normwise relative (the bound).</summary>
    private const double DoubleTolerance = 1e-10;

    /// <summary>Float: ≤ 1e-5 normwise relative, the bound PyTorch's own float32 meets against its float64 (shared/README).</summary>
    private const double FloatTolerance = 1e-5;

    public static TheoryData<string> Cases => new(ReferenceCase.All());

    [Theory]
    [MemberData(nameof(Cases))]
    public void DoubleModelMatchesPyTorch(string name) => Check<double>(name, "Double", DoubleTolerance);

    [Theory]
    [MemberData(nameof(Cases))]
    public void FloatModelMatchesPyTorch(string name) => Check<float>(name, "Float", FloatTolerance);

    [Fact]
    public void EveryCaseHasAModelForEachElementType()
    {
        foreach (string name in ReferenceCase.All())
        {
            Assert.IsAssignableFrom<IRecurrentModel<float>>(Create<float>(name, "Float"));
            Assert.IsAssignableFrom<IRecurrentModel<double>>(Create<double>(name, "Double"));
        }
    }

    internal static IRecurrentModel<T> Create<T>(string name, string suffix) where T : unmanaged
    {
        string typeName = typeof(RnnTanhC1Float).Namespace + "." + string.Concat(name.Split('_').Select(p => char.ToUpperInvariant(p[0]) + p[1..])) + suffix;
        Type type = typeof(RnnTanhC1Float).Assembly.GetType(typeName) ?? throw new InvalidOperationException($"No model class {typeName}.");
        return (IRecurrentModel<T>)Activator.CreateInstance(type)!;
    }

    private static void Check<T>(string name, string suffix, double tolerance) where T : unmanaged
    {
        var reference = new ReferenceCase(name);
        IRecurrentModel<T> model = Create<T>(name, suffix);
        model.LoadSafetensors(reference.WeightsPath);
        Assert.Equal(int.Parse(reference.Metadata["input_size"]), model.InputSize);
        Assert.Equal(int.Parse(reference.Metadata["output_size"]), model.OutputSize);
        Assert.Equal(reference.Layers, model.LayerCount);
        Assert.Equal(4, reference.Scenarios.Count);

        var errors = new List<string>();
        foreach (Scenario s in reference.Scenarios)
        {
            // Forward over the whole sequence.
            Seed(model, s);
            T[] input = Norms.From<T>(s.Input);
            var outputs = new T[s.Steps * model.OutputSize];
            model.Forward(input, outputs);
            Compare(errors, $"s{s.Index} (T={s.Steps}) Forward output", outputs, s.Output, tolerance);
            CompareStates(errors, model, s, tolerance);

            // The same through Step, one step at a time: must agree with Forward exactly.
            Seed(model, s);
            var stepped = new T[outputs.Length];
            for (int t = 0; t < s.Steps; t++)
                model.Step(input.AsSpan(t * model.InputSize, model.InputSize), stepped.AsSpan(t * model.OutputSize, model.OutputSize));
            Assert.Equal(outputs, stepped);
            CompareStates(errors, model, s, tolerance);
        }
        Assert.True(errors.Count == 0, $"{name} ({typeof(T).Name}) differs from PyTorch beyond {tolerance:g}:\n" + string.Join("\n", errors));
    }

    internal static void Seed<T>(IRecurrentModel<T> model, Scenario s) where T : unmanaged
    {
        model.ResetState();
        for (int j = 0; j < model.LayerCount; j++)
        {
            Norms.From<T>(s.H0[j]).CopyTo(model.Hidden(j));
            if (s.C0 is not null) Norms.From<T>(s.C0[j]).CopyTo(model.Cell(j));
            else Assert.True(model.Cell(j).IsEmpty);
        }
    }

    private static void CompareStates<T>(List<string> errors, IRecurrentModel<T> model, Scenario s, double tolerance) where T : unmanaged
    {
        for (int j = 0; j < model.LayerCount; j++)
        {
            Compare(errors, $"s{s.Index} h_n layer {j}", model.Hidden(j).ToArray(), s.Hn[j], tolerance);
            if (s.Cn is not null) Compare(errors, $"s{s.Index} c_n layer {j}", model.Cell(j).ToArray(), s.Cn[j], tolerance);
        }
    }

    private static void Compare<T>(List<string> errors, string what, T[] actual, double[] expected, double tolerance) where T : unmanaged
    {
        double error = Norms.RelativeError(Norms.ToDouble<T>(actual), expected);
        if (!(error <= tolerance)) errors.Add($"  {what}: relative error {error:e2}");
    }
}
