using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using RnnGen.Generator.Tests.Infrastructure;
using Xunit;

namespace RnnGen.Generator.Tests;

/// <summary>
/// The runtime library targets net8.0 too, so generated code must compile against .NET 8's reference assemblies and
/// the net8.0 build of RnnGen (no API newer than .NET 8, such as Vector.FusedMultiplyAdd, may slip in).
/// </summary>
public class Net8CompileTests
{
    [Fact]
    public void GeneratedCodeCompilesForNet8WithoutWarnings()
    {
        string library = Metadata("RnnGenNet8Library");
        Assert.True(File.Exists(library), $"Build the solution first: {library} is missing.");
        string tensors = Directory.GetFiles(Path.Combine(Metadata("NuGetPackageRoot"), "system.numerics.tensors"), "System.Numerics.Tensors.dll", SearchOption.AllDirectories)
            .Single(p => p.Replace('\\', '/').Contains($"/{typeof(System.Numerics.Tensors.TensorPrimitives).Assembly.GetName().Version!.ToString(3)}/lib/net8.0/"));
        var parse = new CSharpParseOptions(LanguageVersion.CSharp12);
        var compilation = CSharpCompilation.Create("Net8Models",
            [CSharpSyntaxTree.ParseText("""
                using RnnGen;
                namespace Demo;
                [RecurrentModel(3)] [Lstm(8)] [Gru(5, ResetAfter = false)] [SimpleRnn(4, Activation = Activation.Relu)] [Dense(3, Activation = Activation.Softmax)] [Dense(2)]
                public partial class FloatModel;
                [RecurrentModel(2, ElementType = typeof(double))] [Gru(6)] [Lstm(7, Bias = false)] [Dense(1, Activation = Activation.Sigmoid)]
                public partial class DoubleModel;
                """, parse)],
            [.. Basic.Reference.Assemblies.Net80.References.All, MetadataReference.CreateFromFile(library), MetadataReference.CreateFromFile(tensors)],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorDriver driver = CSharpGeneratorDriver.Create([new RecurrentModelGenerator().AsSourceGenerator()], parseOptions: parse);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out var generatorDiagnostics);
        Assert.Empty(generatorDiagnostics);
        Assert.Equal(3, output.SyntaxTrees.Count());
        using var pe = new MemoryStream();
        var emit = output.Emit(pe);
        var problems = emit.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static string Metadata(string key) => typeof(Net8CompileTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
