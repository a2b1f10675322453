using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace RnnGen.Generator.Diagnostics;

/// <summary>
/// Every diagnostic RnnGen reports. IDs: RNNG0001–0099 declaration, RNNG0100–0199 configuration, RNNG0900+ environment.
/// IDs are never reused. Each has a README anchor (#rnngNNNN).
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Usage = "RnnGen.Usage";
    private const string Configuration = "RnnGen.Configuration";
    private const string Weights = "RnnGen.Weights";
    private const string HelpRoot = "https://github.com/rnngen/RnnGen/blob/main/docs/diagnostics.md#";

    /// <summary>RNNG0001: "The model class '{0}' must be declared partial: write 'partial class {0}'".</summary>
    public static readonly DiagnosticDescriptor ClassNotPartial = Error("RNNG0001", Usage,
        "Model class must be partial",
        "The model class '{0}' must be declared partial so RnnGen can add the generated members: write 'partial class {0}'");

    /// <summary>RNNG0002: "'{0}' contains the model class '{1}' and must be declared partial".</summary>
    public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Error("RNNG0002", Usage,
        "Type containing a model must be partial",
        "The type '{0}' contains the model class '{1}' and must be declared partial too");

    /// <summary>RNNG0003: "The model class '{0}' must not be {1}".</summary>
    public static readonly DiagnosticDescriptor UnsupportedClassShape = Error("RNNG0003", Usage,
        "Model class must be a non-generic, non-static, non-record class",
        "The model class '{0}' must not be {1}: declare a non-generic, non-static partial class");

    /// <summary>RNNG0004: "Layer attributes of '{0}' must all be on the declaration that carries [RecurrentModel]".</summary>
    public static readonly DiagnosticDescriptor LayersSplitAcrossDeclarations = Error("RNNG0004", Usage,
        "Layer attributes split across partial declarations",
        "The layer attributes of '{0}' must all be on the partial declaration that carries [RecurrentModel], so their order is defined: move this attribute there");

    /// <summary>RNNG0005: "'{0}' already declares a member named '{1}'".</summary>
    public static readonly DiagnosticDescriptor MemberConflict = Error("RNNG0005", Usage,
        "Member name taken by the generated code",
        "'{0}' declares a member named '{1}', which RnnGen generates for the model: rename your member");

    /// <summary>RNNG0006: "A model class cannot be named '{0}'".</summary>
    public static readonly DiagnosticDescriptor ClassNameTaken = Error("RNNG0006", Usage,
        "Model class named like a generated member",
        "A model class cannot be named '{0}': RnnGen generates a member of that name in it, and a member cannot share its class's name; rename the class");

    /// <summary>RNNG0101: "'{0}' has no recurrent layer".</summary>
    public static readonly DiagnosticDescriptor NoRecurrentLayer = Error("RNNG0101", Configuration,
        "Model has no recurrent layer",
        "The model '{0}' has no recurrent layer: add at least one [Lstm(n)], [Gru(n)] or [SimpleRnn(n)] after [RecurrentModel]");

    /// <summary>RNNG0102: "{0} must be greater than zero (was {1})".</summary>
    public static readonly DiagnosticDescriptor NonPositiveSize = Error("RNNG0102", Configuration,
        "Size must be positive",
        "{0} must be greater than zero (was {1})");

    /// <summary>RNNG0103: "ElementType must be typeof(float) or typeof(double) (was {0})".</summary>
    public static readonly DiagnosticDescriptor UnsupportedElementType = Error("RNNG0103", Configuration,
        "Unsupported element type",
        "ElementType must be typeof(float) or typeof(double) (was '{0}')");

    /// <summary>RNNG0104: "The Dense layer {0} comes before the recurrent layer {1}".</summary>
    public static readonly DiagnosticDescriptor DenseBeforeRecurrent = Error("RNNG0104", Configuration,
        "Dense layer before a recurrent layer",
        "This Dense layer comes before the recurrent layer [{0}]: Dense layers form the head and must follow every recurrent layer");

    /// <summary>RNNG0105: "{0} is not a known activation".</summary>
    public static readonly DiagnosticDescriptor UnknownActivation = Error("RNNG0105", Configuration,
        "Unknown activation",
        "'{0}' is not a known activation: use Activation.None, Tanh, Sigmoid, Relu or Softmax");

    /// <summary>RNNG0106: "A SimpleRnn layer supports Activation.Tanh or Activation.Relu, not {0}".</summary>
    public static readonly DiagnosticDescriptor UnsupportedRecurrentActivation = Error("RNNG0106", Configuration,
        "Activation not supported by SimpleRnn",
        "A SimpleRnn layer's activation must be Activation.Tanh or Activation.Relu (as PyTorch's nn.RNN nonlinearity), not Activation.{0}");

    /// <summary>RNNG0107: "The model '{0}' has {1} parameters; at most {2} are supported".</summary>
    public static readonly DiagnosticDescriptor ModelTooLarge = Error("RNNG0107", Configuration,
        "Model too large",
        "The model '{0}' has {1} parameters or state values (or elements in one weight matrix); at most {2} are supported: reduce the layer sizes");

    /// <summary>RNNG0108: "Tensor name '{0}' is used by two layers".</summary>
    public static readonly DiagnosticDescriptor DuplicateTensorName = Error("RNNG0108", Configuration,
        "Two layers map to the same tensor names",
        "This layer's tensor '{0}' has the same name as an earlier layer's: give it a different Module");

    /// <summary>RNNG0109: "Module '{0}' is not a valid module name".</summary>
    public static readonly DiagnosticDescriptor InvalidModuleName = Error("RNNG0109", Configuration,
        "Invalid module name",
        "Module '{0}' is not a valid PyTorch module path: use non-empty names of letters, digits and '_' separated by '.'");

    /// <summary>RNNG0110: "{0}" (an [Embedding] that is not first, or a second one).</summary>
    public static readonly DiagnosticDescriptor MisplacedEmbedding = Error("RNNG0110", Configuration,
        "Misplaced embedding layer",
        "{0}");

    /// <summary>RNNG0111: "Dropout must be in [0, 1) (was {0})".</summary>
    public static readonly DiagnosticDescriptor DropoutOutOfRange = Error("RNNG0111", Configuration,
        "Dropout out of range",
        "Dropout must be a probability in [0, 1) (was {0})");

    /// <summary>RNNG0150 (warning): "Softmax over one output is always 1".</summary>
    public static readonly DiagnosticDescriptor SoftmaxOfOne = new("RNNG0150", "Softmax over a single output",
        "Softmax over a single output is always 1, whatever the input: use Activation.Sigmoid for one probability, or more outputs",
        Configuration, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpRoot + "rnng0150");

    /// <summary>RNNG0201: "The weights file '{0}' was not found: {1}".</summary>
    public static readonly DiagnosticDescriptor WeightsFileNotFound = Error("RNNG0201", Weights,
        "Weights file not passed to the compiler",
        "The weights file '{0}' was not found: {1}");

    /// <summary>RNNG0202: "'{0}' is not a valid safetensors file: {1}".</summary>
    public static readonly DiagnosticDescriptor InvalidWeightsFile = Error("RNNG0202", Weights,
        "Weights file is not valid safetensors",
        "'{0}' is not a valid safetensors file: {1}");

    /// <summary>RNNG0203: "'{0}' has no tensor '{1}' {2} ({3})".</summary>
    public static readonly DiagnosticDescriptor MissingTensor = Error("RNNG0203", Weights,
        "Tensor missing from the weights file",
        "'{0}' has no tensor '{1}' {2}, which {3} needs");

    /// <summary>RNNG0204: "'{0}' has a tensor '{1}' {2} that the model does not have".</summary>
    public static readonly DiagnosticDescriptor ExtraTensor = Error("RNNG0204", Weights,
        "Tensor in the weights file that the model does not have",
        "'{0}' has a tensor '{1}' {2} that is not a parameter of this model (its tensors are: {3})");

    /// <summary>RNNG0205: "Tensor '{1}' in '{0}' has shape {2}, expected {3}".</summary>
    public static readonly DiagnosticDescriptor TensorShapeMismatch = Error("RNNG0205", Weights,
        "Tensor shape does not match the model",
        "Tensor '{1}' in '{0}' has shape {2}, expected {3}");

    /// <summary>RNNG0206: "Tensor '{1}' in '{0}' has dtype {2}; compiled-in weights must be F32 or F64".</summary>
    public static readonly DiagnosticDescriptor TensorTypeUnsupported = Error("RNNG0206", Weights,
        "Tensor type not supported",
        "Tensor '{1}' in '{0}' has dtype {2}; compiled-in weights must be F32 or F64");

    /// <summary>RNNG0207: "RestState needs compiled-in weights".</summary>
    public static readonly DiagnosticDescriptor RestStateWithoutWeights = Error("RNNG0207", Weights,
        "RestState without Weights",
        "RestState = true needs compiled-in weights: set Weights = \"file.safetensors\" too, or remove RestState");

    /// <summary>RNNG0901: "RnnGen needs C# 12 or later (the project uses {0})".</summary>
    public static readonly DiagnosticDescriptor LanguageVersionTooLow = Error("RNNG0901", Usage,
        "C# 12 or later required",
        "RnnGen's generated code needs C# 12 or later (inline arrays); this project uses C# {0}: set <LangVersion>12</LangVersion> or later");

    public static IReadOnlyList<DiagnosticDescriptor> All { get; } = new[]
    {
        ClassNotPartial, ContainingTypeNotPartial, UnsupportedClassShape, LayersSplitAcrossDeclarations, MemberConflict, ClassNameTaken,
        NoRecurrentLayer, NonPositiveSize, UnsupportedElementType, DenseBeforeRecurrent, UnknownActivation,
        UnsupportedRecurrentActivation, ModelTooLarge, DuplicateTensorName, InvalidModuleName, MisplacedEmbedding,
        DropoutOutOfRange, SoftmaxOfOne, WeightsFileNotFound, InvalidWeightsFile, MissingTensor, ExtraTensor, TensorShapeMismatch,
        TensorTypeUnsupported, RestStateWithoutWeights, LanguageVersionTooLow,
    };

    private static readonly Dictionary<string, DiagnosticDescriptor> ByIdMap = All.ToDictionary(d => d.Id);

    public static DiagnosticDescriptor ById(string id) => ByIdMap[id];

    private static DiagnosticDescriptor Error(string id, string category, string title, string message) =>
        new(id, title, message, category, DiagnosticSeverity.Error, isEnabledByDefault: true,
            helpLinkUri: HelpRoot + id.ToLowerInvariant());
}
