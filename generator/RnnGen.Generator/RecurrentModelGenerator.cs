using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RnnGen.Generator.Diagnostics;
using RnnGen.Generator.Emit;
using RnnGen.Generator.Infrastructure;
using RnnGen.Generator.Model;
using RnnGen.Generator.Parsing;
using RnnGen.Generator.Weights;
using System.Linq;

namespace RnnGen.Generator;

/// <summary>
/// The pipeline, and nothing else: classes with [RecurrentModel] → <see cref="ParseResult"/> (values only) →
/// diagnostics reported, valid specs emitted. Diagnostics and specs are separate steps, so moving an attribute
/// (new locations, same model) does not regenerate the source.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class RecurrentModelGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<ParseResult> results = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.RecurrentModelAttribute,
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                static (ctx, token) => ModelParser.Parse(ctx, token))
            .WithTrackingName(TrackingNames.Parse);

        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = results
            .Select(static (r, _) => r.Diagnostics)
            .Where(static d => d.Count > 0)
            .WithTrackingName(TrackingNames.Diagnostics);

        IncrementalValuesProvider<ModelSpec> specs = results
            .Where(static r => r.Spec is not null)
            .Select(static (r, _) => r.Spec!)
            .WithTrackingName(TrackingNames.Specs);

        // Weights compiled in: each safetensors AdditionalFile is read when it changes, never on other edits.
        IncrementalValuesProvider<WeightsFile> weightsFiles = context.AdditionalTextsProvider
            .Where(static t => t.Path.EndsWith(".safetensors", System.StringComparison.OrdinalIgnoreCase))
            .Select(static (t, token) => WeightsFile.Read(t.Path, token))
            .WithTrackingName(TrackingNames.WeightsFiles);

        IncrementalValuesProvider<BoundModel> models = specs
            .Combine(weightsFiles.Collect())
            .Select(static (pair, token) => WeightsBinder.Bind(pair.Left, pair.Right, token))
            .WithTrackingName(TrackingNames.Bind);

        context.RegisterSourceOutput(diagnostics, static (spc, list) =>
        {
            foreach (DiagnosticInfo diagnostic in list) spc.ReportDiagnostic(diagnostic.ToDiagnostic());
        });

        // Weights problems carry no location (so moving code does not re-bind); the Weights argument's is joined here.
        var weightsProblems = models
            .Where(static m => m.Problems.Count > 0)
            .Select(static (m, _) => (Model: m.Spec.Type.MetadataName, m.Problems))
            .Collect();
        var weightsLocations = results
            .Where(static r => r.Spec is not null && r.WeightsLocation is not null)
            .Select(static (r, _) => (Model: r.Spec!.Type.MetadataName, Location: r.WeightsLocation!))
            .Collect();
        context.RegisterSourceOutput(weightsProblems.Combine(weightsLocations), static (spc, pair) =>
        {
            foreach (var (model, problems) in pair.Left)
            {
                spc.CancellationToken.ThrowIfCancellationRequested();
                LocationInfo? location = pair.Right.FirstOrDefault(l => l.Model == model).Location;
                foreach (WeightsProblem problem in problems)
                    spc.ReportDiagnostic(new DiagnosticInfo(problem.Id, location, problem.Arguments).ToDiagnostic());
            }
        });

        // Hint names must differ ignoring case: the few models whose names differ only in case are renamed, the same way
        // on every run. Usually empty, so adding or changing a model leaves the other models' output cached.
        IncrementalValueProvider<EquatableArray<RenamedHint>> renamedHints = specs
            .Select(static (s, _) => s.Type)
            .Collect()
            .Select(static (types, token) => HintNames.Disambiguate(types, token))
            .WithTrackingName(TrackingNames.HintNames);

        context.RegisterSourceOutput(models.Where(static m => m.Problems.Count == 0).Combine(renamedHints), static (spc, pair) =>
            spc.AddSource(HintNames.Of(pair.Left.Spec.Type, pair.Right),
                ModelEmitter.Emit(pair.Left.Spec, pair.Left.Parameters, spc.CancellationToken)));
    }
}
