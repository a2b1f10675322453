using System;
using System.IO;
using Xunit;

namespace RnnGen.Numerics.Tests;

/// <summary>The same declaration as samples/Quickstart, so the weights that ship with the sample are checked against PyTorch.</summary>
[RecurrentModel(inputSize: 1)]
[Lstm(16)]
[Dense(1)]
public partial class QuickstartSineLstm;

public class QuickstartTests
{
    [Fact]
    public void SampleWeightsReproducePyTorch()
    {
        var model = new QuickstartSineLstm();
        model.LoadSafetensors(Path.Combine(AppContext.BaseDirectory, "quickstart", "sine-lstm.safetensors"));
        SafetensorsFile expected = SafetensorsFile.Read(Path.Combine(ReferenceCase.Folder, "quickstart.expected.safetensors"));
        float[] input = expected["input"].ToSingleArray();
        var output = new float[input.Length];
        model.Forward(input, output);
        double error = Norms.RelativeError(Norms.ToDouble<float>(output), expected["output"].ToDoubleArray());
        Assert.True(error <= 1e-5, $"relative error {error:e2}");
    }
}
