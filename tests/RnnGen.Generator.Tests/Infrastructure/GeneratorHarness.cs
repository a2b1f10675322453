using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace RnnGen.Generator.Tests.Infrastructure;

/// <summary>
/// Compiles test sources against the .NET 10 reference assemblies (Basic.Reference.Assemblies, nothing downloaded)
/// plus RnnGen.dll and System.Numerics.Tensors, and runs <see cref="RecurrentModelGenerator"/> in process with step
/// tracking on. Keeps the driver so later runs are incremental.
/// </summary>
internal sealed class GeneratorHarness
{
    /// <summary>C# 12 with documentation comments checked, so a broken cref or a missing doc in generated code is a warning.</summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp12, DocumentationMode.Diagnose);

    private static readonly ImmutableArray<MetadataReference> References =
    [
        .. Basic.Reference.Assemblies.Net100.References.All,
        MetadataReference.CreateFromFile(typeof(RecurrentModelAttribute).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(System.Numerics.Tensors.TensorPrimitives).Assembly.Location),
    ];

    private GeneratorDriver _driver;

    public GeneratorHarness(params string[] sources) : this(ParseOptions, sources) { }

    public GeneratorHarness(CSharpParseOptions options, params string[] sources) : this(options, sources, []) { }

    public GeneratorHarness(CSharpParseOptions options, string[] sources, AdditionalText[] additionalFiles)
    {
        AdditionalTexts = additionalFiles;
        Options = options;
        Compilation = CSharpCompilation.Create("RnnGenTests",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, options, path: $"Model{i}.cs")),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        _driver = CSharpGeneratorDriver.Create(
            [new RecurrentModelGenerator().AsSourceGenerator()],
            additionalTexts: additionalFiles,
            parseOptions: options,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
    }

    public CSharpParseOptions Options { get; }

    public IReadOnlyList<AdditionalText> AdditionalTexts { get; private set; }

    public Compilation Compilation { get; private set; }

    public Compilation? Output { get; private set; }

    /// <summary>Runs the generator on the current compilation; fails if it threw (CS8785).</summary>
    public GeneratorDriverRunResult Run()
    {
        _driver = _driver.RunGeneratorsAndUpdateCompilation(Compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        Output = output;
        Assert.DoesNotContain(diagnostics, d => d.Id is "CS8784" or "CS8785");
        GeneratorDriverRunResult result = _driver.GetRunResult();
        Assert.All(result.Results, r => Assert.Null(r.Exception));
        return result;
    }

    public void ReplaceSource(int index, string source)
    {
        SyntaxTree old = Compilation.SyntaxTrees.Single(t => t.FilePath == $"Model{index}.cs");
        Compilation = Compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(source, Options, path: old.FilePath));
    }

    public void AddSource(string path, string source) =>
        Compilation = Compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(source, Options, path: path));

    public void Clone() => Compilation = Compilation.Clone();

    /// <summary>Tells the driver that an AdditionalFile changed (as the IDE does when a file is saved).</summary>
    public void ReplaceAdditionalText(AdditionalText old, AdditionalText replacement)
    {
        _driver = _driver.ReplaceAdditionalText(old, replacement);
        AdditionalTexts = AdditionalTexts.Select(t => t == old ? replacement : t).ToList();
    }

    /// <summary>The generated files by hint name.</summary>
    public static IReadOnlyDictionary<string, string> Generated(GeneratorDriverRunResult result) =>
        result.Results.SelectMany(r => r.GeneratedSources).ToDictionary(s => s.HintName, s => s.SourceText.ToString());

    /// <summary>Compiles the generator's output and fails on any warning or error.</summary>
    public byte[] EmitClean()
    {
        Assert.NotNull(Output);
        using var pe = new MemoryStream();
        var emit = Output!.Emit(pe);
        // CS1591 (missing XML comment) counts only in generated files; the test sources themselves carry no docs.
        var problems = emit.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Where(d => !(d.Id == "CS1591" && d.Location.SourceTree?.FilePath.StartsWith("Model", StringComparison.Ordinal) == true))
            .ToList();
        Assert.True(problems.Count == 0, "The generated code does not compile cleanly:\n" + string.Join("\n", problems));
        Assert.True(emit.Success);
        return pe.ToArray();
    }
}
