using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RnnGen.Generator.Diagnostics;
using RnnGen.Generator.Emit;
using RnnGen.Generator.Infrastructure;
using RnnGen.Generator.Parsing;

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
                static (node, _) => node is ClassDeclarationSyntax,
                static (ctx, token) => ModelParser.Parse(ctx, token))
            .WithTrackingName(TrackingNames.Parse);

        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = results
            .Select(static (r, _) => r.Diagnostics)
            .Where(static d => d.Count > 0)
            .WithTrackingName(TrackingNames.Diagnostics);

        IncrementalValuesProvider<Model.ModelSpec> specs = results
            .Where(static r => r.Spec is not null)
            .Select(static (r, _) => r.Spec!)
            .WithTrackingName(TrackingNames.Specs);

        context.RegisterSourceOutput(diagnostics, static (spc, list) =>
        {
            foreach (DiagnosticInfo diagnostic in list) spc.ReportDiagnostic(diagnostic.ToDiagnostic());
        });

        context.RegisterSourceOutput(specs, static (spc, spec) =>
            spc.AddSource(spec.HintName, ModelEmitter.Emit(spec, spc.CancellationToken)));
    }
}
