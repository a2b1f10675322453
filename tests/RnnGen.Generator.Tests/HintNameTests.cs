using System.Linq;
using Microsoft.CodeAnalysis;
using RnnGen.Generator.Tests.Infrastructure;
using Xunit;

namespace RnnGen.Generator.Tests;

/// <summary>
/// The names of the generated files: <c>{namespace and nesting}.RnnGen.g.cs</c>, except for models whose names would
/// clash ignoring case (Roslyn compares hint names so), which get a hash of their exact name, the same on every run.
/// </summary>
public class HintNameTests
{
    private static string[] Hints(GeneratorDriverRunResult result) =>
        result.Results.SelectMany(r => r.GeneratedSources).Select(s => s.HintName).OrderBy(h => h, System.StringComparer.Ordinal).ToArray();

    [Fact]
    public void NamesDifferingOnlyInCaseGetAStableHashAndOthersKeepTheUsualName()
    {
        var harness = new GeneratorHarness(
            "using RnnGen; namespace Demo; [RecurrentModel(2)] [Lstm(4)] public partial class Model;",
            "using RnnGen; namespace Demo; [RecurrentModel(3)] [Gru(5)] public partial class model;",
            "using RnnGen; namespace Demo; [RecurrentModel(1)] [SimpleRnn(2)] public partial class MODEL;",
            "using RnnGen; namespace Demo; [RecurrentModel(1)] [SimpleRnn(2)] public partial class Other;");
        // The numbers are FNV-1a hashes of "Demo.MODEL", "Demo.Model" and "Demo.model": pinned, as they name files users may see.
        Assert.Equal(
            ["Demo.MODEL.3067822677.RnnGen.g.cs", "Demo.Model.3022852757.RnnGen.g.cs", "Demo.Other.RnnGen.g.cs", "Demo.model.1125529653.RnnGen.g.cs"],
            Hints(harness.Run()));
        harness.EmitClean();
    }

    [Fact]
    public void AnInvalidModelDoesNotRenameAValidOne()
    {
        // Only the models that are generated take part: a broken 'model' leaves 'Model' its usual name.
        var harness = new GeneratorHarness(
            "using RnnGen; namespace Demo; [RecurrentModel(2)] [Lstm(4)] public partial class Model;",
            "using RnnGen; namespace Demo; [RecurrentModel(3)] [Gru(0)] public partial class model;");
        Assert.Equal(["Demo.Model.RnnGen.g.cs"], Hints(harness.Run()));
    }

    [Fact]
    public void EnclosingTypesDifferingOnlyInCaseAreRenamedToo()
    {
        var harness = new GeneratorHarness(
            "using RnnGen; namespace Demo; public partial class Outer { [RecurrentModel(2)] [Lstm(4)] public partial class Model; }",
            "using RnnGen; namespace Demo; public partial class outer { [RecurrentModel(2)] [Lstm(4)] public partial class Model; }");
        Assert.Equal(["Demo.Outer.Model.1793584157.RnnGen.g.cs", "Demo.outer.Model.2138350461.RnnGen.g.cs"], Hints(harness.Run()));
        harness.EmitClean();
    }

    [Fact]
    public void EqualHashesFallBackToNumbers()
    {
        // Two names that differ only in case and whose FNV-1a hashes are equal (4192661149), found by search.
        var harness = new GeneratorHarness(
            "using RnnGen; namespace DEmo; [RecurrentModel(2)] [Lstm(4)] public partial class MoDeLwItHaVEryLoNgNamEFORcoLLiSIONs;",
            "using RnnGen; namespace DeMO; [RecurrentModel(2)] [Lstm(4)] public partial class modELWIthavERyLONGnAMEFORcOLlisiOns;");
        Assert.Equal(
            ["DEmo.MoDeLwItHaVEryLoNgNamEFORcoLLiSIONs.1.RnnGen.g.cs", "DeMO.modELWIthavERyLONGnAMEFORcOLlisiOns.2.RnnGen.g.cs"],
            Hints(harness.Run()));
        harness.EmitClean();
    }

    [Fact]
    public void ANamespaceAndATypeOfTheSameNameDoNotStopTheGenerator()
    {
        // Invalid C# (CS0101), but the generator must not fail: 'A.B.M' in namespace A.B and in class A.B are two models.
        var harness = new GeneratorHarness(
            "using RnnGen; namespace A.B { [RecurrentModel(2)] [Lstm(4)] public partial class M; }",
            "using RnnGen; namespace A { public partial class B { [RecurrentModel(2)] [Lstm(4)] public partial class M; } }");
        Assert.Equal(2, Hints(harness.Run()).Distinct(System.StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void RenamingIsIncrementalAndTheSameOnEveryRun()
    {
        const string First = "using RnnGen; namespace Demo; [RecurrentModel(2)] [Lstm(4)] public partial class Model;";
        var harness = new GeneratorHarness(First);
        Assert.Equal(["Demo.Model.RnnGen.g.cs"], Hints(harness.Run()));

        harness.AddSource("Second.cs", "using RnnGen; namespace Demo; [RecurrentModel(3)] [Gru(5)] public partial class model;");
        GeneratorDriverRunResult clash = harness.Run();
        Assert.Equal(["Demo.Model.3022852757.RnnGen.g.cs", "Demo.model.1125529653.RnnGen.g.cs"], Hints(clash));

        // An unrelated model: the renamed ones stay cached under their names.
        harness.AddSource("Third.cs", "using RnnGen; namespace Demo; [RecurrentModel(1)] [SimpleRnn(2)] public partial class Other;");
        GeneratorDriverRunResult more = harness.Run();
        Assert.Equal(["Demo.Model.3022852757.RnnGen.g.cs", "Demo.Other.RnnGen.g.cs", "Demo.model.1125529653.RnnGen.g.cs"], Hints(more));
        var reasons = more.Results[0].TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Equal(1, reasons.Count(r => r == IncrementalStepRunReason.New));
        Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.New or IncrementalStepRunReason.Cached, $"an output was {r}"));

        Incrementality.AssertCachedAfterClone(harness);
    }
}
