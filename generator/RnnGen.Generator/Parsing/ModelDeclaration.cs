using RnnGen.Generator.Diagnostics;
using RnnGen.Generator.Infrastructure;
using RnnGen.Generator.Model;

namespace RnnGen.Generator.Parsing;

/// <summary>What the attributes say, before validation: raw values with the location of each argument.</summary>
internal sealed record ModelDeclaration(
    TypeHierarchy Type,
    LocationInfo? ModelAttribute,
    AttributeValue<int> InputSize,
    AttributeValue<string>? ElementType,
    AttributeValue<int>? SequenceLength,
    EquatableArray<LayerDeclaration> Layers,
    AttributeValue<string>? Weights,
    AttributeValue<bool>? RestState,
    EquatableArray<UserMember> Members,
    AttributeValue<bool>? FastActivations = null);

/// <summary>A member the user declared in the model class: its name, whether it is a method, and where its name is.</summary>
internal sealed record UserMember(string Name, bool IsMethod, LocationInfo? Location);

/// <summary>One layer attribute as written.</summary>
internal sealed record LayerDeclaration(
    LayerKind Kind,
    LocationInfo? Attribute,
    AttributeValue<int> Size,
    bool Bias,
    AttributeValue<int>? Activation,
    bool ResetAfter,
    AttributeValue<string>? Module,
    AttributeValue<double>? Dropout);

/// <summary>An argument's value and where it was written (the attribute itself when the value is a default).</summary>
internal sealed record AttributeValue<T>(T Value, LocationInfo? Location);

internal enum LayerKind
{
    Lstm,
    Gru,
    SimpleRnn,
    Dense,
    Embedding,
}

/// <summary>The parser's result: a model spec when the declaration is valid, and the diagnostics either way.</summary>
internal sealed record ParseResult(ModelSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics, LocationInfo? WeightsLocation = null);
