using System.Linq;
using RnnGen.Generator.Tests.Infrastructure;
using Xunit;

namespace RnnGen.Generator.Tests;

/// <summary><c>FastActivations = true</c> switches a float model's packed cell updates and Dense activations to Simd.FastSigmoid / FastTanh, and only those.</summary>
public class FastActivationsTests
{
    private static string Generate(string declaration)
    {
        var harness = new GeneratorHarness("using RnnGen; namespace Demo; " + declaration);
        string source = string.Concat(harness.Run().Results.SelectMany(r => r.GeneratedSources).Select(s => s.SourceText.ToString()));
        harness.EmitClean();
        return source;
    }

    [Fact]
    public void FloatModelUsesTheFastActivationsInItsPackedKernels()
    {
        string source = Generate("[RecurrentModel(2, FastActivations = true)] [Lstm(8)] [Gru(8)] [Dense(16, Activation = Activation.Tanh)] public partial class Fast;");
        Assert.Contains("global::RnnGen.Simd.FastSigmoid(", source);
        Assert.Contains("global::RnnGen.Simd.FastTanh(", source);
        Assert.DoesNotContain("global::RnnGen.Simd.Sigmoid(", source);
        Assert.DoesNotContain("global::RnnGen.Simd.Tanh(", source);
    }

    [Fact]
    public void ExactActivationsAreTheDefault()
    {
        string source = Generate("[RecurrentModel(2)] [Lstm(8)] [Dense(16, Activation = Activation.Tanh)] public partial class Exact;");
        Assert.Contains("global::RnnGen.Simd.Sigmoid(", source);
        Assert.DoesNotContain("Simd.Fast", source);
    }

    [Fact]
    public void DoubleModelKeepsTheExactActivations()
    {
        string source = Generate("[RecurrentModel(2, ElementType = typeof(double), FastActivations = true)] [Lstm(8)] public partial class Precise;");
        Assert.Contains("global::RnnGen.Simd.Sigmoid(", source);
        Assert.DoesNotContain("Simd.Fast", source);
    }
}
