using System.Linq;
using Microsoft.CodeAnalysis;
using RnnGen.Generator.Infrastructure;
using RnnGen.Generator.Tests.Infrastructure;
using Xunit;

namespace RnnGen.Generator.Tests;

/// <summary>
/// What each kind of edit re-runs. The parse step re-runs on every edit of the model's file (it reads symbols), but
/// its value is equal unless the model changed, so the spec and the emitted source stay cached.
/// </summary>
public class IncrementalityTests
{
    private const string Model = """
        using RnnGen;
        namespace Demo;
        [RecurrentModel(3)]
        [Lstm(8)]
        [Dense(1)]
        public partial class Forecaster;
        """;

    [Fact]
    public void UnrelatedFileLeavesEverythingCached()
    {
        var harness = new GeneratorHarness(Model);
        harness.Run();
        harness.AddSource("Other.cs", "namespace Demo; public class Unrelated { public int X; }");
        GeneratorDriverRunResult result = harness.Run();
        // A new tree changes the compilation, so Roslyn re-runs the transform of FAWMN; its value is equal.
        AssertReasons(result, TrackingNames.Parse, IncrementalStepRunReason.Unchanged);
        AssertReasons(result, TrackingNames.Specs, IncrementalStepRunReason.Cached);
        AssertOutput(result, IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void CommentOrMemberInTheModelClassDoesNotRegenerate()
    {
        var harness = new GeneratorHarness(Model);
        harness.Run();
        harness.ReplaceSource(0, Model.Replace("public partial class Forecaster;",
            "// a comment\npublic partial class Forecaster { public int Extra => 1; }"));
        GeneratorDriverRunResult result = harness.Run();
        AssertReasons(result, TrackingNames.Parse, IncrementalStepRunReason.Unchanged);
        AssertReasons(result, TrackingNames.Specs, IncrementalStepRunReason.Cached);
        AssertOutput(result, IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void ChangingAHiddenSizeRegenerates()
    {
        var harness = new GeneratorHarness(Model);
        string before = GeneratorHarness.Generated(harness.Run()).Single().Value;
        harness.ReplaceSource(0, Model.Replace("[Lstm(8)]", "[Lstm(16)]"));
        GeneratorDriverRunResult result = harness.Run();
        AssertReasons(result, TrackingNames.Parse, IncrementalStepRunReason.Modified);
        AssertReasons(result, TrackingNames.Specs, IncrementalStepRunReason.Modified);
        // The source output is re-run (the weights-diagnostics output, with nothing to report, stays cached).
        Assert.Contains(result.Results[0].TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.NotEqual(before, GeneratorHarness.Generated(result).Single().Value);
    }

    [Fact]
    public void MovingTheAttributesChangesOnlyTheLocations()
    {
        // Locations live in the diagnostics step only, so a valid model whose attributes move is not re-emitted.
        var harness = new GeneratorHarness(Model);
        harness.Run();
        harness.ReplaceSource(0, "\n\n" + Model);
        GeneratorDriverRunResult result = harness.Run();
        AssertReasons(result, TrackingNames.Specs, IncrementalStepRunReason.Cached);
        AssertOutput(result, IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void SecondModelIsNewAndFirstStaysCached()
    {
        var harness = new GeneratorHarness(Model);
        harness.Run();
        harness.AddSource("Second.cs", "using RnnGen; namespace Demo; [RecurrentModel(2)] [Gru(4)] public partial class Second;");
        GeneratorDriverRunResult result = harness.Run();
        var reasons = result.Results[0].TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Contains(IncrementalStepRunReason.Cached, reasons);
        Assert.Contains(IncrementalStepRunReason.New, reasons);
        Assert.Equal(2, GeneratorHarness.Generated(result).Count);
    }

    [Fact]
    public void FixingAnErrorProducesSourceAndClearsTheDiagnostic()
    {
        var harness = new GeneratorHarness(Model.Replace("[Lstm(8)]", "[Lstm(0)]"));
        GeneratorDriverRunResult broken = harness.Run();
        Assert.Equal("RNNG0102", Assert.Single(broken.Diagnostics).Id);
        Assert.Empty(broken.GeneratedTrees);
        harness.ReplaceSource(0, Model);
        GeneratorDriverRunResult fixedRun = harness.Run();
        Assert.Empty(fixedRun.Diagnostics);
        Assert.Single(fixedRun.GeneratedTrees);
    }

    [Fact]
    public void PipelineValuesHoldNoRoslynObjects()
    {
        var harness = new GeneratorHarness(Model, Model.Replace("Forecaster", "Broken").Replace("[Lstm(8)]", "[Lstm(-1)]"));
        GeneratorDriverRunResult result = harness.Run();
        Assert.Single(result.Diagnostics);
        foreach (string name in Incrementality.StepNames.Where(result.Results[0].TrackedSteps.ContainsKey))
            foreach (IncrementalGeneratorRunStep step in result.Results[0].TrackedSteps[name])
                foreach (var (value, _) in step.Outputs)
                    Incrementality.AssertNoRoslynObjects(value, name);
    }

    private static void AssertReasons(GeneratorDriverRunResult result, string step, IncrementalStepRunReason expected)
    {
        var outputs = result.Results[0].TrackedSteps[step].SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, o => Assert.Equal(expected, o.Reason));
    }

    private static void AssertOutput(GeneratorDriverRunResult result, IncrementalStepRunReason expected)
    {
        var outputs = result.Results[0].TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, o => Assert.Equal(expected, o.Reason));
    }
}
