using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using RnnGen.Generator.Diagnostics;
using RnnGen.Generator.Tests.Infrastructure;
using Xunit;

namespace RnnGen.Generator.Tests;

/// <summary>
/// Each diagnostic with its exact ID and span, written inline as <c>{|RNNG0102:0|}</c>. The sets of (ID, span) must be
/// equal: a missing or an extra diagnostic fails. An invalid model never produces source.
/// </summary>
public class DiagnosticTests
{
    [Fact]
    public void ClassNotPartial() => Expect("""
        [RecurrentModel(2)]
        [Lstm(4)]
        public class {|RNNG0001:Model|};
        """);

    [Fact]
    public void ContainingTypeNotPartial() => Expect("""
        public class Outer
        {
            [RecurrentModel(2)]
            [Lstm(4)]
            public partial class {|RNNG0002:Model|};
        }
        """);

    [Fact]
    public void StaticClass() => Expect("""
        [RecurrentModel(2)]
        [Lstm(4)]
        public static partial class {|RNNG0003:Model|};
        """);

    [Fact]
    public void GenericClass() => Expect("""
        [RecurrentModel(2)]
        [Lstm(4)]
        public partial class {|RNNG0003:Model|}<T>;
        """);

    [Fact]
    public void FileLocalClass() => Expect("""
        [RecurrentModel(2)]
        [Lstm(4)]
        file partial class {|RNNG0003:Model|};
        """);

    [Fact]
    public void ClassNestedInAFileLocalType() => Expect("""
        file partial class Outer
        {
            [RecurrentModel(2)]
            [Lstm(4)]
            public partial class {|RNNG0003:Model|};
        }
        """);

    [Fact]
    public void ClassNamedLikeAGeneratedMember() => Expect("""
        [{|RNNG0006:RecurrentModel(2)|}]
        [Gru(4)]
        public partial class Parameters;
        """);

    [Fact]
    public void VerbatimKeywordNamesAreGenerated() => Expect("""
        namespace Demo
        {
            public partial class @event
            {
                [RecurrentModel(2)]
                [Lstm(4)]
                public partial class @class;
            }
        }
        """, generates: true);

    [Fact]
    public void HugeSizesAreRefusedWithoutOverflow() => Expect("""
        [{|RNNG0107:RecurrentModel(1)|}]
        [Gru(int.MaxValue)]
        public partial class A;

        [{|RNNG0107:RecurrentModel(1, SequenceLength = int.MaxValue)|}]
        [Lstm(1)]
        public partial class B;
        """);

    [Fact]
    public void ModuleWithATrailingNewline() => Expect("""
        [RecurrentModel(2)]
        [Lstm(4, Module = {|RNNG0109:"rnn\n"|})]
        public partial class Model;
        """);

    [Fact]
    public void RecordClass() => Expect("""
        [RecurrentModel(2)]
        [Lstm(4)]
        public partial record {|RNNG0003:Model|};
        """);

    [Fact]
    public void OneHugeMatrixIsRefused() => Expect("""
        [{|RNNG0107:RecurrentModel(9000)|}]
        [Gru(3000)]
        public partial class Model;
        """);

    [Fact]
    public void LayersSplitAcrossDeclarations() => Expect("""
        [RecurrentModel(2)]
        [Lstm(4)]
        public partial class Model;

        [{|RNNG0004:Dense(1)|}]
        public partial class Model;
        """);

    [Fact]
    public void MemberNamesTakenByTheGeneratedCode() => Expect("""
        [RecurrentModel(2)]
        [Lstm(4)]
        public partial class Model
        {
            public const int {|RNNG0005:InputSize|} = 3;
            private float[] {|RNNG0005:_parameters|} = [];
            public struct {|RNNG0005:State|} { }
            private void {|RNNG0005:Layer0Gates|}() { }
            public void Step(string text) { }   // an overload of a public method is fine
        }
        """);

    [Fact]
    public void SoftmaxOverOneOutputIsAWarningAndStillGenerates() => Expect("""
        [RecurrentModel(2)]
        [Gru(4)]
        [Dense(1, Activation = {|RNNG0150:Activation.Softmax|})]
        public partial class Model;
        """, generates: true);

    [Fact]
    public void AnInvalidModelDoesNotAffectTheValidOnes()
    {
        var harness = new GeneratorHarness("""
            using RnnGen;
            [RecurrentModel(2)] [Lstm(0)] public partial class Broken;
            [RecurrentModel(2)] [Lstm(4)] public partial class Good;
            [RecurrentModel(3)] [Dense(2)] public partial class AlsoBroken;
            [RecurrentModel(1)] [Gru(2)] [Dense(1)] public partial class AlsoGood;
            """);
        GeneratorDriverRunResult result = harness.Run();
        Assert.Equal(["RNNG0101", "RNNG0102"], result.Diagnostics.Select(d => d.Id).OrderBy(i => i));
        Assert.Equal(["AlsoGood.RnnGen.g.cs", "Good.RnnGen.g.cs"], GeneratorHarness.Generated(result).Keys.OrderBy(k => k));
    }

    [Fact]
    public void EmittedMembersListsEveryMemberTheGeneratorDeclares()
    {
        // Parse the generated code of models that use every feature and compare with EmittedMembers.Of.
        var harness = new GeneratorHarness("""
            using RnnGen;
            [RecurrentModel(3, SequenceLength = 8)] [Embedding(5)] [Gru(4, ResetAfter = false, Dropout = 0.1)] [Lstm(3)] [SimpleRnn(2)] [Dense(3)] [Dense(2)]
            public partial class Everything;
            """);
        GeneratorDriverRunResult result = harness.Run();
        var tree = Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(GeneratorHarness.Generated(result).Single().Value);
        var model = tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax>().First(c => c.Identifier.Text == "Everything");
        var declared = model.Members.SelectMany(m => m switch
        {
            Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax x when x.ExplicitInterfaceSpecifier is null => [x.Identifier.Text],
            Microsoft.CodeAnalysis.CSharp.Syntax.PropertyDeclarationSyntax x when x.ExplicitInterfaceSpecifier is null => [x.Identifier.Text],
            Microsoft.CodeAnalysis.CSharp.Syntax.BaseFieldDeclarationSyntax x => x.Declaration.Variables.Select(v => v.Identifier.Text),
            Microsoft.CodeAnalysis.CSharp.Syntax.BaseTypeDeclarationSyntax x => [x.Identifier.Text],
            _ => [],
        }).Distinct().ToList();
        Assert.NotEmpty(declared);
        // The validator reports a conflict for each declared name: declare them all in a user partial and count.
        var conflicts = new GeneratorHarness("""
            using RnnGen;
            [RecurrentModel(3, SequenceLength = 8)] [Embedding(5)] [Gru(4, ResetAfter = false, Dropout = 0.1)] [Lstm(3)] [SimpleRnn(2)] [Dense(3)] [Dense(2)]
            public partial class Everything
            {
            """ + string.Join("\n", declared.Select(n => $"    public int {n};")) + "\n}\n").Run();
        var reported = conflicts.Diagnostics.Where(d => d.Id == "RNNG0005").Select(d => d.GetMessage()).ToList();
        foreach (string name in declared)
            Assert.Contains(reported, m => m.Contains($"'{name}'"));
    }

    [Fact]
    public void NoRecurrentLayer() => Expect("""
        [{|RNNG0101:RecurrentModel(2)|}]
        [Dense(3)]
        public partial class Model;
        """);

    [Fact]
    public void NoLayersAtAll() => Expect("""
        [{|RNNG0101:RecurrentModel(2)|}]
        public partial class Model;
        """);

    [Fact]
    public void NonPositiveSizes() => Expect("""
        [RecurrentModel(inputSize: {|RNNG0102:0|}, SequenceLength = {|RNNG0102:-5|})]
        [Lstm({|RNNG0102:0|})]
        [Gru({|RNNG0102:-1|})]
        [Dense({|RNNG0102:0|})]
        public partial class Model;
        """);

    [Fact]
    public void UnsupportedElementType() => Expect("""
        [RecurrentModel(2, ElementType = {|RNNG0103:typeof(int)|})]
        [Lstm(4)]
        public partial class Model;
        """);

    [Fact]
    public void HalfIsNotSupported() => Expect("""
        [RecurrentModel(2, ElementType = {|RNNG0103:typeof(System.Half)|})]
        [Lstm(4)]
        public partial class Model;
        """);

    [Fact]
    public void DenseBeforeRecurrent() => Expect("""
        [RecurrentModel(2)]
        [Lstm(4)]
        [{|RNNG0104:Dense(3)|}]
        [Gru(4)]
        public partial class Model;
        """);

    [Fact]
    public void UnknownActivation() => Expect("""
        [RecurrentModel(2)]
        [Lstm(4)]
        [Dense(3, Activation = {|RNNG0105:(Activation)42|})]
        public partial class Model;
        """);

    [Fact]
    public void SimpleRnnActivationMustBeTanhOrRelu() => Expect("""
        [RecurrentModel(2)]
        [SimpleRnn(4, Activation = {|RNNG0106:Activation.Sigmoid|})]
        public partial class Model;
        """);

    [Fact]
    public void DuplicateTensorNames() => Expect("""
        [RecurrentModel(2)]
        [Lstm(4)]
        [Dense(3, Module = "head")]
        [Dense(2, Module = {|RNNG0108:"head"|})]
        public partial class Model;
        """);

    [Fact]
    public void InvalidModuleName() => Expect("""
        [RecurrentModel(2)]
        [Lstm(4, Module = {|RNNG0109:"my rnn"|})]
        [Dense(2, Module = {|RNNG0109:""|})]
        public partial class Model;
        """);

    [Fact]
    public void ModelTooLarge() => Expect("""
        [{|RNNG0107:RecurrentModel(2)|}]
        [Lstm(100000)]
        public partial class Model;
        """);

    [Fact]
    public void EmbeddingMustComeFirstAndOnce() => Expect("""
        [RecurrentModel(2)]
        [Lstm(4)]
        [{|RNNG0110:Embedding(10)|}]
        [{|RNNG0110:Embedding(12)|}]
        public partial class Model;
        """);

    [Fact]
    public void EmbeddingVocabularyMustBePositive() => Expect("""
        [RecurrentModel(2)]
        [Embedding({|RNNG0102:0|})]
        [Gru(4)]
        public partial class Model;
        """);

    [Fact]
    public void DropoutOutOfRange() => Expect("""
        [RecurrentModel(2)]
        [Lstm(4, Dropout = {|RNNG0111:1.0|})]
        [Gru(4, Dropout = {|RNNG0111:-0.1|})]
        [SimpleRnn(4, Dropout = {|RNNG0111:double.NaN|})]
        public partial class Model;
        """);

    [Fact]
    public void LanguageVersionTooLow() => Expect("""
        [{|RNNG0901:RecurrentModel(2)|}]
        [Lstm(4)]
        public partial class Model { }
        """, LanguageVersion.CSharp11);

    [Fact]
    public void SeveralProblemsAreReportedTogether() => Expect("""
        [RecurrentModel({|RNNG0102:-1|})]
        [Lstm(4, Module = {|RNNG0109:"a..b"|})]
        public class {|RNNG0001:Model|};
        """);

    [Fact]
    public void ValidModelHasNoDiagnostics() => Expect("""
        [RecurrentModel(2, ElementType = typeof(double))]
        [Gru(4, ResetAfter = false, Bias = false, Module = "enc")]
        [SimpleRnn(3, Activation = Activation.Relu)]
        [Dense(3, Activation = Activation.Softmax, Module = "head.2")]
        public partial class Model;
        """, generates: true);

    [Fact]
    public void CompilerErrorsInAttributesAreLeftToTheCompiler()
    {
        // A wrongly typed argument is the compiler's error (CS1503); the generator must stay silent and not throw.
        var harness = new GeneratorHarness("""
            using RnnGen;
            [RecurrentModel("two")]
            [Lstm(4)]
            public partial class Model;
            """);
        GeneratorDriverRunResult result = harness.Run();
        Assert.Empty(result.Diagnostics);
        Assert.Empty(result.GeneratedTrees);
    }

    [Fact]
    public void EveryDescriptorIsTestedAndDocumented()
    {
        Assert.Equal(26, DiagnosticDescriptors.All.Count);
        Assert.Equal(DiagnosticDescriptors.All.Count, DiagnosticDescriptors.All.Select(d => d.Id).Distinct().Count());
        string readme = System.IO.File.ReadAllText(System.IO.Path.Combine(Snapshot.Root, "..", "..", "..", "docs", "diagnostics.md"));
        foreach (DiagnosticDescriptor descriptor in DiagnosticDescriptors.All)
        {
            Assert.Contains($"## {descriptor.Id}", readme);
            Assert.EndsWith("#" + descriptor.Id.ToLowerInvariant(), descriptor.HelpLinkUri);
            Assert.Equal(descriptor.Id == "RNNG0150" ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error, descriptor.DefaultSeverity);
        }
    }

    private static void Expect(string markup, LanguageVersion version = LanguageVersion.CSharp12, bool generates = false)
    {
        (string body, List<(string Id, Microsoft.CodeAnalysis.Text.TextSpan Span)> expected) = DiagnosticMarkup.Parse("using RnnGen;\n" + markup);
        var harness = new GeneratorHarness(new CSharpParseOptions(version), body);
        GeneratorDriverRunResult result = harness.Run();
        var actual = result.Diagnostics.Select(d => (d.Id, d.Location.SourceSpan)).OrderBy(d => d.SourceSpan.Start).ThenBy(d => d.Id).ToList();
        var wanted = expected.Select(e => (e.Id, e.Span)).OrderBy(e => e.Span.Start).ThenBy(e => e.Id).ToList();
        Assert.True(wanted.SequenceEqual(actual),
            $"Expected:\n  {string.Join("\n  ", wanted.Select(d => $"{d.Id} {d.Span} '{body.Substring(d.Span.Start, d.Span.Length)}'"))}\n" +
            $"Actual:\n  {string.Join("\n  ", result.Diagnostics.Select(d => $"{d.Id} {d.Location.SourceSpan} '{body.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length)}': {d.GetMessage()}"))}");
        foreach (Diagnostic diagnostic in result.Diagnostics)
        {
            Assert.Equal("Model0.cs", diagnostic.Location.SourceTree?.FilePath ?? diagnostic.Location.GetLineSpan().Path);
            Assert.DoesNotContain("{", diagnostic.GetMessage());
        }
        Assert.Equal(generates, result.GeneratedTrees.Length > 0);
        if (generates) harness.EmitClean();
    }
}
