using System.Linq;
using Microsoft.CodeAnalysis;
using RnnGen.Generator.Tests.Infrastructure;
using Xunit;

namespace RnnGen.Generator.Tests.Fuzzing;

/// <summary>
/// Product bugs the attribute fuzzer found, each reduced to a minimal declaration and asserting the behaviour the
/// issue asks for: the generator never throws, and a model is either generated and compiles with no warning, or gets
/// an RNNG error. A test is skipped while its bug is open; the fuzzer draws all these inputs.
/// </summary>
public sealed class AttributeFuzzRegressionTests
{
    /// <summary>The property every fuzzed model must satisfy, on one source.</summary>
    private static void GeneratedCleanlyOrRejected(params string[] sources)
    {
        var harness = new GeneratorHarness(sources);
        GeneratorDriverRunResult result = harness.Run(); // fails on CS8784/CS8785
        bool rejected = result.Diagnostics.Any(d => d.Id.StartsWith("RNNG", System.StringComparison.Ordinal) && d.Severity == DiagnosticSeverity.Error);
        int generated = result.Results.Sum(r => r.GeneratedSources.Length);
        Assert.True(rejected || generated > 0, "The model was neither generated nor rejected with an RNNG error.");
        if (generated > 0) harness.EmitClean();
    }

    [Fact]
    public void RecordModelIsGeneratedOrRejected() => GeneratedCleanlyOrRejected("""
        using RnnGen;
        [RecurrentModel(2)]
        [Lstm(4)]
        public partial record Model;
        """);

    [Fact]
    public void VerbatimKeywordClassNameCompiles() => GeneratedCleanlyOrRejected("""
        using RnnGen;
        namespace Demo
        {
            [RecurrentModel(2)]
            [Lstm(4)]
            public partial class @class;
        }
        """);

    [Theory]
    [InlineData("State")]
    [InlineData("Step")]
    [InlineData("Forward")]
    [InlineData("Parameters")]
    [InlineData("InputSize")]
    public void ClassNamedLikeAGeneratedMemberIsRejectedOrCompiles(string name) => GeneratedCleanlyOrRejected($$"""
        using RnnGen;
        [RecurrentModel(2)]
        [Gru(4)]
        public partial class {{name}};
        """);

    [Theory]
    [InlineData("[RecurrentModel(1)] [Gru(int.MaxValue)]")]
    [InlineData("[RecurrentModel(int.MaxValue)] [SimpleRnn(int.MaxValue)] [SimpleRnn(int.MaxValue)]")]
    public void Int32MaxHiddenSizeIsRNNG0107(string attributes)
    {
        var harness = new GeneratorHarness($$"""
            using RnnGen;
            {{attributes}}
            public partial class Model;
            """);
        GeneratorDriverRunResult result = harness.Run();
        Assert.Contains(result.Diagnostics, d => d.Id == "RNNG0107");
    }

    [Theory]
    [InlineData("[RecurrentModel(1, SequenceLength = int.MaxValue)] [Lstm(1)]")]
    [InlineData("[RecurrentModel(100000, SequenceLength = 100000)] [SimpleRnn(1)]")]
    public void LargeSequenceLengthIsRejectedOrCompiles(string attributes) => GeneratedCleanlyOrRejected($$"""
        using RnnGen;
        {{attributes}}
        public partial class Model;
        """);

    [Fact]
    public void ModuleWithATrailingNewlineIsRNNG0109()
    {
        var harness = new GeneratorHarness("""
            using RnnGen;
            [RecurrentModel(2)]
            [Lstm(4, Module = "rnn\n")]
            public partial class Model;
            """);
        GeneratorDriverRunResult result = harness.Run();
        Assert.Contains(result.Diagnostics, d => d.Id == "RNNG0109");
        Assert.Empty(result.Results.SelectMany(r => r.GeneratedSources));
    }

    /// <summary>
    /// Two models whose names differ only in case got hint names that Roslyn compares ignoring case, so the second
    /// AddSource threw and the generator failed (CS8785) for the whole compilation. Found as fuzz seed 000001uXg1K7.
    /// </summary>
    [Fact]
    public void ModelNamesDifferingOnlyInCaseAreBothGenerated()
    {
        var harness = new GeneratorHarness("""
            using RnnGen;
            namespace Demo
            {
                [RecurrentModel(2)]
                [Lstm(4)]
                public partial class Model;

                [RecurrentModel(3)]
                [Gru(5)]
                public partial class model;
            }
            """);
        GeneratorDriverRunResult result = harness.Run();
        Assert.Equal(2, result.Results.Sum(r => r.GeneratedSources.Length));
        harness.EmitClean();
    }

    /// <summary>
    /// Two file-local model classes of one name, in two files: valid C#, but both got the hint name <c>M.RnnGen.g.cs</c>
    /// (CS8785), and the generated members went to a new top-level class, not to the file-local one. Now RNNG0003.
    /// </summary>
    [Fact]
    public void FileLocalModelsOfOneNameAreRejected()
    {
        var harness = new GeneratorHarness(
            "using RnnGen; [RecurrentModel(2)] [Lstm(4)] file partial class M;",
            "using RnnGen; [RecurrentModel(2)] [Gru(4)] file partial class M;");
        GeneratorDriverRunResult result = harness.Run();
        Assert.Equal(["RNNG0003", "RNNG0003"], result.Diagnostics.Select(d => d.Id));
        Assert.Empty(result.Results.SelectMany(r => r.GeneratedSources));
    }

    /// <summary>
    /// Step and Forward used to stackalloc the whole scratch (2 × the widest Dense layer): [Dense(200000)] needed 1.6 MB
    /// of stack and ended the process on a 1 MB thread. Inference scratch is now per-thread heap memory, and the training
    /// forward rents beyond 32 KB.
    /// </summary>
    [Fact]
    public void WideDenseHeadRunsOnAOneMegabyteStack()
    {
        var harness = new GeneratorHarness("""
            using RnnGen;
            [RecurrentModel(1)]
            [Lstm(4)]
            [Dense(200000, Activation = Activation.Softmax)]
            public partial class Wide;
            """);
        harness.Run();
        byte[] image = harness.EmitClean();
        var context = new System.Runtime.Loader.AssemblyLoadContext("RnnGenWide", isCollectible: true);
        try
        {
            var model = (IRecurrentModel<float>)System.Activator.CreateInstance(context.LoadFromStream(new System.IO.MemoryStream(image)).GetType("Wide")!)!;
            var output = new float[model.OutputSize];
            CompileAndRunTests.OnThread(() => model.Step(new float[1], output), stackBytes: 1 << 20);
            Assert.Equal(1f, output.Sum(), 3);
            var outputs = new float[3 * model.OutputSize];
            CompileAndRunTests.OnThread(() => model.Forward(new float[3], outputs), stackBytes: 1 << 20);
            Assert.Equal(1f, outputs.Skip(2 * model.OutputSize).Sum(), 3);
            CompileAndRunTests.OnThread(() => model.ForwardTraining(new float[3], outputs), stackBytes: 1 << 20);
            Assert.Equal(1f, outputs.Skip(2 * model.OutputSize).Sum(), 3);
        }
        finally
        {
            context.Unload();
        }
    }
}
