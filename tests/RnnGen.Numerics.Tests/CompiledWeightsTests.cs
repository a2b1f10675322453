using System;
using System.IO;
using System.Linq;
using RnnGen.Numerics.Tests.Models;
using Xunit;

namespace RnnGen.Numerics.Tests;

/// <summary>Weights compiled in at build time give exactly what the same file loaded at run time gives.</summary>
public class CompiledWeightsTests
{
    [Fact]
    public void CompiledFloatModelIsBitIdenticalToLoadingAtRunTime() =>
        AssertSameAsLoaded<float>(new CompiledLstmC2Float(), new LstmC2Float(), "lstm_c2");

    [Fact]
    public void CompiledDoubleModelIsBitIdenticalToLoadingAtRunTime() =>
        AssertSameAsLoaded<double>(new CompiledGruRbC3Double(), new GruRbC3Double(), "gru_rb_c3");

    private static void AssertSameAsLoaded<T>(IRecurrentModel<T> compiled, IRecurrentModel<T> loaded, string name) where T : unmanaged
    {
        var reference = new ReferenceCase(name);
        loaded.LoadSafetensors(reference.WeightsPath);
        Assert.Equal(loaded.Parameters.ToArray(), compiled.Parameters.ToArray());
        foreach (Scenario s in reference.Scenarios)
        {
            PyTorchParityTests.Seed(compiled, s);
            PyTorchParityTests.Seed(loaded, s);
            T[] input = Norms.From<T>(s.Input);
            var a = new T[s.Steps * compiled.OutputSize];
            var b = new T[a.Length];
            compiled.Forward(input, a);
            loaded.Forward(input, b);
            Assert.Equal(b, a);
            Assert.True(Norms.RelativeError(Norms.ToDouble<T>(a), s.Output) <= (typeof(T) == typeof(float) ? 1e-5 : 1e-10));
        }
    }

    [Fact]
    public void EachInstanceGetsItsOwnCopy()
    {
        var a = new CompiledLstmC2Float();
        var b = new CompiledLstmC2Float();
        a.Parameters[0] = 42f;
        Assert.NotEqual(42f, b.Parameters[0]);
        Assert.NotEqual(42f, new CompiledLstmC2Float().Parameters[0]);
    }

    [Fact]
    public void RuntimeLoadStillReplacesCompiledWeights()
    {
        var model = new CompiledLstmC2Float();
        var zeros = new LstmC2Float();
        using var file = new MemoryStream();
        zeros.SaveSafetensors(file);
        file.Position = 0;
        model.LoadSafetensors(file);
        Assert.All(model.Parameters.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void RestStateIsAFixedPointOfZeroInput()
    {
        var model = new CompiledSineAtRest();
        CompiledSineAtRest.State rest = model.RestState;
        Assert.Contains(rest.Values.ToArray(), v => v != 0);
        // A new instance starts at rest: zero input keeps it there (within the search's tolerance).
        var output = new float[1];
        model.Step([0f], output);
        float[] after = model.CurrentState.Values.ToArray();
        CompiledSineAtRest.State copy = rest;
        for (int i = 0; i < after.Length; i++) Assert.Equal(copy.Values[i], after[i], 1e-5f);

        // ResetState returns to it, not to zeros; a plain model of the same weights starts from zeros.
        model.Step([1f], output);
        model.ResetState();
        Assert.Equal(copy.Values.ToArray(), model.CurrentState.Values.ToArray());

        // After loading other weights the rest state is recomputed for them.
        var other = new SineLstm();
        other.InitializeParameters(seed: 3);
        using var file = new MemoryStream();
        other.SaveSafetensors(file);
        file.Position = 0;
        model.LoadSafetensors(file);
        Assert.NotEqual(copy.Values.ToArray(), model.RestState.Values.ToArray());
    }
}
