using System.Linq;
using Microsoft.CodeAnalysis;
using RnnGen.Generator.Tests.Infrastructure;
using Xunit;

namespace RnnGen.Generator.Tests;

/// <summary>
/// The emitted source for one model per feature, compared with the approved snapshots in Snapshots/. Each test also
/// compiles the output with no warning allowed, and re-runs the generator on a cloned compilation to check that every
/// tracked step is cached (the output is a pure function of the model).
/// </summary>
public class SnapshotTests
{
    [Fact]
    public void Lstm() => Verify("""
        using RnnGen;
        namespace Demo;
        [RecurrentModel(3)]
        [Lstm(8)]
        public partial class Tiny;
        """, "Demo.Tiny");

    [Fact]
    public void GruResetAfter() => Verify("""
        using RnnGen;
        namespace Demo;
        [RecurrentModel(2)]
        [Gru(5)]
        [Dense(1, Activation = Activation.Sigmoid)]
        public partial class Detector;
        """, "Demo.Detector");

    [Fact]
    public void GruResetBefore() => Verify("""
        using RnnGen;
        namespace Demo;
        [RecurrentModel(2)]
        [Gru(4, ResetAfter = false)]
        public partial class OnnxGru;
        """, "Demo.OnnxGru");

    [Fact]
    public void SimpleRnnReluWithoutBias() => Verify("""
        using RnnGen;
        namespace Demo;
        [RecurrentModel(4)]
        [SimpleRnn(6, Activation = Activation.Relu, Bias = false)]
        public partial class Elman;
        """, "Demo.Elman");

    [Fact]
    public void TwoLayerStackWithTwoLayerHead() => Verify("""
        using RnnGen;
        namespace Demo;
        [RecurrentModel(inputSize: 16)]
        [Lstm(32)]
        [Lstm(32)]
        [Dense(16, Activation = Activation.Tanh)]
        [Dense(10, Activation = Activation.Softmax)]
        public partial class Classifier;
        """, "Demo.Classifier");

    [Fact]
    public void DoubleWithRenamedModules() => Verify("""
        using RnnGen;
        namespace Demo;
        [RecurrentModel(inputSize: 3, ElementType = typeof(double), SequenceLength = 32)]
        [Gru(8, Module = "encoder")]
        [Lstm(8, Module = "decoder")]
        [Dense(1, Module = "out")]
        public partial class Forecaster;
        """, "Demo.Forecaster");

    [Fact]
    public void EmbeddingWithDropout() => Verify("""
        using RnnGen;
        namespace Demo;
        [RecurrentModel(inputSize: 8, SequenceLength = 16)]
        [Embedding(30)]
        [Gru(12, Dropout = 0.1)]
        [Lstm(10, Dropout = 0.2)]
        [Dense(30)]
        public partial class CharModel;
        """, "Demo.CharModel");

    [Fact]
    public void NestedClassInNamespace() => Verify("""
        using RnnGen;
        namespace Demo.Audio
        {
            public partial class Plugin
            {
                internal partial struct Voices
                {
                    [RecurrentModel(1)]
                    [Lstm(4)]
                    [Dense(1)]
                    internal sealed partial class Amp;
                }
            }
        }
        """, "Demo.Audio.Plugin.Voices.Amp");

    [Fact]
    public void GlobalNamespace() => Verify("""
        [RnnGen.RecurrentModel(2)]
        [RnnGen.SimpleRnn(3)]
        partial class Bare;
        """, "Bare");

    private static void Verify(string source, string model, [System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        var harness = new GeneratorHarness(source);
        GeneratorDriverRunResult result = harness.Run();
        Assert.Empty(result.Diagnostics);
        var generated = GeneratorHarness.Generated(result);
        string hint = model + ".RnnGen.g.cs";
        Assert.Equal([hint], generated.Keys.ToArray());
        Snapshot.Match(generated[hint], model, test: test);
        harness.EmitClean();
        Incrementality.AssertCachedAfterClone(harness);
    }
}
