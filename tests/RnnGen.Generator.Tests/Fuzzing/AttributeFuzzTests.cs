using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using RnnGen.Generator.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;
using RnnGen.Tests.Fuzzing;

namespace RnnGen.Generator.Tests.Fuzzing;

/// <summary>
/// Property-based fuzzing of the attribute surface: random layer stacks, sizes, options, malformed combinations and
/// declarations (ModelGens), one to three models per compilation, run through the generator.
/// </summary>
/// <remarks>
/// Properties, for every case:
/// <list type="bullet">
/// <item>the generator never throws (no CS8784/CS8785, no exception in the run result);</item>
/// <item>each model gets exactly the RNNG diagnostics docs/diagnostics.md gives it (<see cref="FuzzModel.ExpectedIds"/>),
/// each located in its own file, and source is generated exactly for the models without an error, under the hint name
/// <c>{namespace and nesting}.RnnGen.g.cs</c>, or with a number before <c>.RnnGen.g.cs</c> when another generated
/// model's name differs from its name only in case;</item>
/// <item>the fuzzed user code itself is valid C# (so a rejection is RnnGen's, not the compiler's);</item>
/// <item>no compiler error or warning lies in generated code (every generated tree is bound in full; emitting and
/// running, with warnings as errors, is <see cref="CompileAndRunTests"/>).</item>
/// </list>
/// Case counts: 300 in CI (fixed seed), × <c>RNNGEN_FUZZ_SCALE</c> locally; see <see cref="FuzzRunner"/>.
/// </remarks>
public sealed class AttributeFuzzTests(ITestOutputHelper output)
{
    public const int DiagnosticCases = 300;

    [Fact]
    public void GeneratorReportsExactlyTheDocumentedDiagnostics() =>
        FuzzRunner.Run(nameof(GeneratorReportsExactlyTheDocumentedDiagnostics), ModelGens.Case(hostile: true), CheckDiagnostics,
            DiagnosticCases, seed: 0x5EED_0001, output);

    internal static void CheckDiagnostics(FuzzCase c) => Generate(c, fullCompile: false);

    /// <summary>Runs the generator on the case and checks every property; returns the harness (with its output) and the accepted models.</summary>
    internal static (GeneratorHarness Harness, List<FuzzModel> Accepted) Generate(FuzzCase c, bool fullCompile)
    {
        string[] sources = c.Sources();
        var harness = new GeneratorHarness(sources);

        // The fuzzed input must be valid C# on its own: otherwise the generator leaves it to the compiler, by design.
        var inputErrors = harness.Compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(inputErrors.Count == 0, "The fuzzed source itself does not compile (a test bug):\n" + string.Join("\n", inputErrors));

        GeneratorDriverRunResult result = harness.Run(); // fails on CS8784/CS8785 or an exception in the generator
        var generated = result.Results.SelectMany(r => r.GeneratedSources).ToList();
        var rnng = result.Diagnostics.Where(d => d.Id.StartsWith("RNNG", StringComparison.Ordinal)).ToList();

        foreach (Diagnostic d in rnng)
        {
            Assert.Equal(FuzzModel.IsError(d.Id) ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning, d.Severity);
            // Reported with a file path and span (an external location: RnnGen keeps no syntax trees between steps).
            Assert.True(d.Location != Location.None && d.Location.GetLineSpan().Path.Length > 0, $"{d.Id} has no location: {d}");
        }

        var accepted = new List<FuzzModel>();
        var problems = new List<string>();
        for (int i = 0; i < c.Models.Length; i++)
        {
            FuzzModel model = c.Models[i];
            string file = $"Model{i}.cs";
            var ids = new SortedSet<string>(rnng.Where(d => d.Location.GetLineSpan().Path == file).Select(d => d.Id), StringComparer.Ordinal);
            Regex hint = HintName(model, c.Models);
            bool generatedSource = generated.Any(s => hint.IsMatch(s.HintName));
            SortedSet<string> expected = model.ExpectedIds();
            if (!ids.SetEquals(expected))
                problems.Add($"{file}: expected {(expected.Count == 0 ? "no diagnostic" : string.Join(", ", expected))}, RnnGen reported {(ids.Count == 0 ? "none" : string.Join(", ", rnng.Where(d => d.Location.GetLineSpan().Path == file)))}");
            if (generatedSource == expected.Any(FuzzModel.IsError))
                problems.Add($"{file}: {(generatedSource ? "source was generated for a model with errors" : $"no source named like {hint} was generated for a valid model")} (value count {model.ValueCount()})");
            if (generatedSource) accepted.Add(model);
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\nGenerated: " + string.Join(", ", generated.Select(g => g.HintName)));
        Assert.Equal(accepted.Count, generated.Count);

        // Generated code: no error or warning (bound in full, method bodies too; emitting is left to CompileAndRunTests).
        Compilation output = harness.Output!;
        var generatedTrees = output.SyntaxTrees.Except(harness.Compilation.SyntaxTrees).ToList();
        if (!fullCompile && generatedTrees.Count > 0)
        {
            var generatedProblems = generatedTrees.SelectMany(t => output.GetSemanticModel(t).GetDiagnostics())
                .Concat(generatedTrees.SelectMany(t => t.GetDiagnostics()))
                .Where(d => d.Severity >= DiagnosticSeverity.Warning)
                .ToList();
            Assert.True(generatedProblems.Count == 0, "Generated code has errors or warnings:\n" + string.Join("\n", generatedProblems.Distinct()));
        }
        return (harness, accepted);
    }

    /// <summary>
    /// The generated file's name: <c>{DisplayName}.RnnGen.g.cs</c>, or, when another model that passes validation has a
    /// name equal to it ignoring case (Roslyn compares hint names so), <c>{DisplayName}.{number}.RnnGen.g.cs</c>.
    /// </summary>
    private static Regex HintName(FuzzModel model, FuzzModel[] all)
    {
        bool clash = model.Validates && all.Any(other => !ReferenceEquals(other, model) && other.Validates
            && string.Equals(other.DisplayName, model.DisplayName, StringComparison.OrdinalIgnoreCase));
        return new Regex("^" + Regex.Escape(model.DisplayName) + (clash ? @"\.[0-9]+" : "") + @"\.RnnGen\.g\.cs\z", RegexOptions.CultureInvariant);
    }
}
