using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RnnGen.Generator.Diagnostics;
using RnnGen.Generator.Infrastructure;
using RnnGen.Generator.Model;

namespace RnnGen.Generator.Parsing;

/// <summary>
/// Reads a class carrying [RecurrentModel] into plain values. Declaration problems (not partial, generic, …) are
/// found here because they need symbols and syntax; configuration problems are left to <see cref="ModelValidator"/>.
/// </summary>
internal static class ModelParser
{
    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken token)
    {
        var diagnostics = new List<DiagnosticInfo>();
        if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not TypeDeclarationSyntax declaration)
            return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
        AttributeData? modelAttribute = context.Attributes.FirstOrDefault();
        if (modelAttribute is null || HasErrors(modelAttribute))
            return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty);

        CheckDeclaration(type, declaration, diagnostics);
        CheckLanguageVersion(declaration, modelAttribute, diagnostics);
        token.ThrowIfCancellationRequested();

        var layers = new List<LayerDeclaration>();
        foreach (AttributeData attribute in type.GetAttributes())
        {
            token.ThrowIfCancellationRequested();
            LayerKind? kind = LayerKindOf(attribute);
            if (kind is null) continue;
            if (HasErrors(attribute))
                return new ParseResult(null, diagnostics.ToEquatableArray());   // the compiler reports the error
            if (attribute.ApplicationSyntaxReference?.GetSyntax(token) is not AttributeSyntax syntax) continue;
            if (syntax.FirstAncestorOrSelf<TypeDeclarationSyntax>() != declaration)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayersSplitAcrossDeclarations, LocationInfo.From(syntax), type.Name));
                continue;
            }
            layers.Add(ReadLayer(kind.Value, attribute, syntax));
        }
        // Source order on the declaration defines the stack.
        layers.Sort((a, b) => (a.Attribute?.Span.Start ?? 0).CompareTo(b.Attribute?.Span.Start ?? 0));

        var modelSyntax = modelAttribute.ApplicationSyntaxReference?.GetSyntax(token) as AttributeSyntax;
        var model = new ModelDeclaration(
            TypeHierarchyOf(type),
            LocationInfo.From(modelSyntax),
            new AttributeValue<int>((int)modelAttribute.ConstructorArguments[0].Value!, ArgumentLocation(modelSyntax, 0, "inputSize")),
            ReadElementType(modelAttribute, modelSyntax),
            ReadNamed<int>(modelAttribute, modelSyntax, "SequenceLength"),
            layers.ToEquatableArray(),
            ReadNamed<string>(modelAttribute, modelSyntax, "Weights"),
            ReadNamed<bool>(modelAttribute, modelSyntax, "RestState"),
            type.GetMembers()
                .Where(m => !m.IsImplicitlyDeclared && m.Locations.Length > 0 && m.Locations[0].IsInSource)
                .Select(m =>
                {
                    token.ThrowIfCancellationRequested();
                    return new UserMember(m.Name, m is IMethodSymbol, LocationInfo.From(m.Locations[0]));
                })
                .ToEquatableArray(),
            ReadNamed<bool>(modelAttribute, modelSyntax, "FastActivations"));

        if (diagnostics.Count > 0)
        {
            // Declaration errors: still validate the configuration so every problem shows at once, but emit nothing.
            diagnostics.AddRange(ModelValidator.Validate(model, token).Diagnostics);
            return new ParseResult(null, diagnostics.ToEquatableArray());
        }
        return ModelValidator.Validate(model, token);
    }

    private static void CheckDeclaration(INamedTypeSymbol type, TypeDeclarationSyntax declaration, List<DiagnosticInfo> diagnostics)
    {
        LocationInfo? name = LocationInfo.From(declaration.Identifier.GetLocation());
        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassNotPartial, name, type.Name));
        if (type.IsStatic)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedClassShape, name, type.Name, "static"));
        if (type.IsRecord)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedClassShape, name, type.Name, "a record"));
        if (type.TypeParameters.Length > 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedClassShape, name, type.Name, "generic"));
        // A file-local type's partial declarations must all be in its file, and the generated members are in another.
        INamedTypeSymbol outermost = type;
        while (outermost.ContainingType is { } containing) outermost = containing;
        if (outermost.IsFileLocal)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedClassShape, name, type.Name,
                ReferenceEquals(outermost, type) ? "file-local" : "nested in a file-local type"));
        for (SyntaxNode? parent = declaration.Parent; parent is TypeDeclarationSyntax outer; parent = outer.Parent)
        {
            if (!outer.Modifiers.Any(SyntaxKind.PartialKeyword))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ContainingTypeNotPartial, name, outer.Identifier.Text, type.Name));
            if (outer.TypeParameterList is not null)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedClassShape, name, type.Name, "nested in a generic type"));
        }
    }

    private static void CheckLanguageVersion(TypeDeclarationSyntax declaration, AttributeData attribute, List<DiagnosticInfo> diagnostics)
    {
        if (declaration.SyntaxTree.Options is CSharpParseOptions options && options.LanguageVersion < LanguageVersion.CSharp12)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LanguageVersionTooLow,
                LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax()), options.LanguageVersion.ToDisplayString()));
    }

    private static LayerKind? LayerKindOf(AttributeData attribute) => attribute.AttributeClass?.ToDisplayString() switch
    {
        KnownNames.LstmAttribute => LayerKind.Lstm,
        KnownNames.GruAttribute => LayerKind.Gru,
        KnownNames.SimpleRnnAttribute => LayerKind.SimpleRnn,
        KnownNames.DenseAttribute => LayerKind.Dense,
        KnownNames.EmbeddingAttribute => LayerKind.Embedding,
        _ => null,
    };

    private static bool HasErrors(AttributeData attribute) =>
        attribute.AttributeClass is null or IErrorTypeSymbol
        || attribute.ConstructorArguments.Length != 1
        || attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error || a.Value is null)
        || attribute.NamedArguments.Any(a => a.Value.Kind == TypedConstantKind.Error);

    private static LayerDeclaration ReadLayer(LayerKind kind, AttributeData attribute, AttributeSyntax syntax)
    {
        AttributeValue<int>? activation = ReadNamed<int>(attribute, syntax, "Activation");
        if (activation is null && kind == LayerKind.SimpleRnn)
            activation = new AttributeValue<int>((int)Activation.Tanh, LocationInfo.From(syntax));
        return new LayerDeclaration(
            kind,
            LocationInfo.From(syntax),
            new AttributeValue<int>((int)attribute.ConstructorArguments[0].Value!, ArgumentLocation(syntax, 0, null)),
            ReadNamed<bool>(attribute, syntax, "Bias")?.Value ?? true,
            activation,
            ReadNamed<bool>(attribute, syntax, "ResetAfter")?.Value ?? true,
            ReadNamed<string>(attribute, syntax, "Module"),
            ReadNamed<double>(attribute, syntax, "Dropout"));
    }

    private static AttributeValue<string>? ReadElementType(AttributeData attribute, AttributeSyntax? syntax)
    {
        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
            if (named.Key == "ElementType")
            {
                string name = named.Value.Value is ITypeSymbol type
                    ? type.SpecialType switch
                    {
                        SpecialType.System_Single => "float",
                        SpecialType.System_Double => "double",
                        _ => type.ToDisplayString(),
                    }
                    : "null";
                return new AttributeValue<string>(name, NamedArgumentLocation(syntax, "ElementType"));
            }
        return null;
    }

    private static AttributeValue<T>? ReadNamed<T>(AttributeData attribute, AttributeSyntax? syntax, string property)
    {
        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
            if (named.Key == property && named.Value.Value is T value)
                return new AttributeValue<T>(value, NamedArgumentLocation(syntax, property));
            else if (named.Key == property && named.Value.Value is null && typeof(T) == typeof(string))
                return new AttributeValue<T>(default!, NamedArgumentLocation(syntax, property));
        return null;
    }

    /// <summary>The location of the positional argument <paramref name="position"/> (or the one named <paramref name="parameter"/>).</summary>
    private static LocationInfo? ArgumentLocation(AttributeSyntax? syntax, int position, string? parameter)
    {
        if (syntax?.ArgumentList is null) return LocationInfo.From(syntax);
        var positional = syntax.ArgumentList.Arguments.Where(a => a.NameEquals is null).ToList();
        AttributeArgumentSyntax? argument =
            positional.FirstOrDefault(a => parameter is not null && a.NameColon?.Name.Identifier.Text == parameter)
            ?? (position < positional.Count ? positional[position] : null);
        return LocationInfo.From(argument?.Expression ?? (SyntaxNode)syntax);
    }

    private static LocationInfo? NamedArgumentLocation(AttributeSyntax? syntax, string property)
    {
        AttributeArgumentSyntax? argument = syntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.Text == property);
        return LocationInfo.From(argument?.Expression ?? (SyntaxNode?)syntax);
    }

    private static TypeHierarchy TypeHierarchyOf(INamedTypeSymbol type)
    {
        var types = new List<TypeDeclaration>();
        for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
            types.Insert(0, new TypeDeclaration(KeywordOf(current), current.Name));
        string ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : "";
        return new TypeHierarchy(ns, types.ToEquatableArray());
    }

    private static string KeywordOf(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => "class",
    };
}
