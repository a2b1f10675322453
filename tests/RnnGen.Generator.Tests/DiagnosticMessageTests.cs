using System.Linq;
using Microsoft.CodeAnalysis;
using RnnGen.Generator.Tests.Infrastructure;
using Xunit;

namespace RnnGen.Generator.Tests;

/// <summary>The exact message and severity of every diagnostic (DiagnosticTests asserts the IDs and spans).</summary>
public class DiagnosticMessageTests
{
    public static TheoryData<string, string, DiagnosticSeverity, string> Cases => new()
    {
        { "RNNG0001", "[RecurrentModel(2)] [Lstm(4)] public class M;", DiagnosticSeverity.Error,
            "The model class 'M' must be declared partial so RnnGen can add the generated members: write 'partial class M'" },
        { "RNNG0002", "public class Outer { [RecurrentModel(2)] [Lstm(4)] public partial class M; }", DiagnosticSeverity.Error,
            "The type 'Outer' contains the model class 'M' and must be declared partial too" },
        { "RNNG0003", "[RecurrentModel(2)] [Lstm(4)] public static partial class M;", DiagnosticSeverity.Error,
            "The model class 'M' must not be static: declare a non-generic, non-static partial class" },
        { "RNNG0004", "[RecurrentModel(2)] [Lstm(4)] public partial class M; [Dense(1)] public partial class M;", DiagnosticSeverity.Error,
            "The layer attributes of 'M' must all be on the partial declaration that carries [RecurrentModel], so their order is defined: move this attribute there" },
        { "RNNG0005", "[RecurrentModel(2)] [Lstm(4)] public partial class M { public int InputSize; }", DiagnosticSeverity.Error,
            "'M' declares a member named 'InputSize', which RnnGen generates for the model: rename your member" },
        { "RNNG0006", "[RecurrentModel(2)] [Gru(4)] public partial class State;", DiagnosticSeverity.Error,
            "A model class cannot be named 'State': RnnGen generates a member of that name in it, and a member cannot share its class's name; rename the class" },
        { "RNNG0101", "[RecurrentModel(2)] [Dense(1)] public partial class M;", DiagnosticSeverity.Error,
            "The model 'M' has no recurrent layer: add at least one [Lstm(n)], [Gru(n)] or [SimpleRnn(n)] after [RecurrentModel]" },
        { "RNNG0102", "[RecurrentModel(2)] [Gru(-3)] public partial class M;", DiagnosticSeverity.Error,
            "The Gru layer's hiddenSize must be greater than zero (was -3)" },
        { "RNNG0103", "[RecurrentModel(2, ElementType = typeof(int))] [Lstm(4)] public partial class M;", DiagnosticSeverity.Error,
            "ElementType must be typeof(float) or typeof(double) (was 'int')" },
        { "RNNG0104", "[RecurrentModel(2)] [Lstm(4)] [Dense(1)] [Gru(3)] public partial class M;", DiagnosticSeverity.Error,
            "This Dense layer comes before the recurrent layer [Gru]: Dense layers form the head and must follow every recurrent layer" },
        { "RNNG0105", "[RecurrentModel(2)] [Lstm(4)] [Dense(1, Activation = (Activation)42)] public partial class M;", DiagnosticSeverity.Error,
            "'42' is not a known activation: use Activation.None, Tanh, Sigmoid, Relu or Softmax" },
        { "RNNG0106", "[RecurrentModel(2)] [SimpleRnn(4, Activation = Activation.Softmax)] public partial class M;", DiagnosticSeverity.Error,
            "A SimpleRnn layer's activation must be Activation.Tanh or Activation.Relu (as PyTorch's nn.RNN nonlinearity), not Activation.Softmax" },
        { "RNNG0107", "[RecurrentModel(2)] [Lstm(100000)] public partial class M;", DiagnosticSeverity.Error,
            "The model 'M' has 40001800000 parameters or state values (or elements in one weight matrix); at most 268435456 are supported: reduce the layer sizes" },
        { "RNNG0108", "[RecurrentModel(2)] [Lstm(4)] [Dense(2, Module = \"x\")] [Dense(1, Module = \"x\")] public partial class M;", DiagnosticSeverity.Error,
            "This layer's tensor 'x.weight' has the same name as an earlier layer's: give it a different Module" },
        { "RNNG0109", "[RecurrentModel(2)] [Lstm(4, Module = \"a b\")] public partial class M;", DiagnosticSeverity.Error,
            "Module 'a b' is not a valid PyTorch module path: use non-empty names of letters, digits and '_' separated by '.'" },
        { "RNNG0110", "[RecurrentModel(2)] [Lstm(4)] [Embedding(9)] public partial class M;", DiagnosticSeverity.Error,
            "[Embedding] must come first, before the recurrent layers" },
        { "RNNG0111", "[RecurrentModel(2)] [Lstm(4, Dropout = 1.5)] public partial class M;", DiagnosticSeverity.Error,
            "Dropout must be a probability in [0, 1) (was 1.5)" },
        { "RNNG0150", "[RecurrentModel(2)] [Lstm(4)] [Dense(1, Activation = Activation.Softmax)] public partial class M;", DiagnosticSeverity.Warning,
            "Softmax over a single output is always 1, whatever the input: use Activation.Sigmoid for one probability, or more outputs" },
        { "RNNG0201", "[RecurrentModel(2, Weights = \"m.safetensors\")] [Lstm(4)] public partial class M;", DiagnosticSeverity.Error,
            "The weights file 'm.safetensors' was not found: no AdditionalFiles item ends with that path; add <AdditionalFiles Include=\"m.safetensors\" /> to the project file" },
        { "RNNG0207", "[RecurrentModel(2, RestState = true)] [Lstm(4)] public partial class M;", DiagnosticSeverity.Error,
            "RestState = true needs compiled-in weights: set Weights = \"file.safetensors\" too, or remove RestState" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MessageSaysWhatToChange(string id, string source, DiagnosticSeverity severity, string message)
    {
        var harness = new GeneratorHarness("using RnnGen;\n" + source);
        Diagnostic diagnostic = Assert.Single(harness.Run().Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(severity, diagnostic.Severity);
        Assert.Equal(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.EndsWith("#" + id.ToLowerInvariant(), diagnostic.Descriptor.HelpLinkUri);
    }

    [Fact]
    public void LanguageVersionMessage()
    {
        var harness = new GeneratorHarness(new Microsoft.CodeAnalysis.CSharp.CSharpParseOptions(Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp11),
            "using RnnGen; [RecurrentModel(2)] [Lstm(4)] public partial class M { }");
        Diagnostic diagnostic = Assert.Single(harness.Run().Diagnostics);
        Assert.Equal("RNNG0901", diagnostic.Id);
        Assert.Equal("RnnGen's generated code needs C# 12 or later (inline arrays); this project uses C# 11.0: set <LangVersion>12</LangVersion> or later", diagnostic.GetMessage());
    }
}
