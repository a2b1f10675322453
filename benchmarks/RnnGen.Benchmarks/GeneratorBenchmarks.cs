extern alias generator;

using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using generator::RnnGen.Generator;

namespace RnnGen.Benchmarks;

/// <summary>
/// The generator as the IDE and the build run it: a cold run over 50 models, an incremental run after an unrelated
/// edit (what every keystroke costs), and a model whose ~5 MB of weights are compiled in (generator time, and the
/// compiler's time to emit the generated code).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class GeneratorBenchmarks
{
    private static readonly CSharpParseOptions Parse = new(LanguageVersion.CSharp12);
    private static readonly ImmutableArray<MetadataReference> References =
    [
        .. Basic.Reference.Assemblies.Net100.References.All,
        MetadataReference.CreateFromFile(typeof(RecurrentModelAttribute).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(System.Numerics.Tensors.TensorPrimitives).Assembly.Location),
    ];

    private CSharpCompilation _fiftyModels = null!;
    private CSharpCompilation _fiftyModelsEdited = null!;
    private GeneratorDriver _warmDriver = null!;
    private CSharpCompilation _bigModel = null!;
    private AdditionalText _bigWeights = null!;
    private Compilation _bigModelGenerated = null!;
    private string _folder = null!;

    [GlobalSetup]
    public void Setup()
    {
        var models = new StringBuilder("using RnnGen;\nnamespace Bench;\n");
        string[] cells = ["Lstm", "Gru", "SimpleRnn"];
        for (int i = 0; i < 50; i++)
            models.Append($"[RecurrentModel({1 + i % 7})] [{cells[i % 3]}({8 + 4 * (i % 9)})] [{cells[(i + 1) % 3]}({16 + i % 5})] [Dense({1 + i % 3})] public partial class Model{i};\n");
        _fiftyModels = Compile(models.ToString());
        _fiftyModelsEdited = _fiftyModels.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Bench; public class Unrelated { public int X; }", Parse));
        _warmDriver = Driver([]).RunGenerators(_fiftyModels);

        // LSTM(64 → 512) + Dense(512 → 64): 1,220,672 parameters, 4.9 MB of F32.
        _folder = Directory.CreateTempSubdirectory("rnngen-bench-").FullName;
        string path = Path.Combine(_folder, "big.safetensors");
        WriteWeights(path, [("rnn.weight_ih_l0", [2048, 64]), ("rnn.weight_hh_l0", [2048, 512]), ("rnn.bias_ih_l0", [2048]),
            ("rnn.bias_hh_l0", [2048]), ("head.weight", [64, 512]), ("head.bias", [64])]);
        _bigWeights = new FileText(path);
        _bigModel = Compile("using RnnGen; [RecurrentModel(64, Weights = \"big.safetensors\")] [Lstm(512)] [Dense(64)] public partial class Big;");
        Driver([_bigWeights]).RunGeneratorsAndUpdateCompilation(_bigModel, out _bigModelGenerated, out _);
        if (_bigModelGenerated.SyntaxTrees.Count() != 2) throw new InvalidOperationException("the big model was not generated");
        Console.WriteLine($"// weights file: {new FileInfo(path).Length:N0} bytes; generated source: {_bigModelGenerated.SyntaxTrees.Last().Length:N0} chars");
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    [Benchmark(Description = "50 models, cold")]
    public GeneratorDriver FiftyModelsCold() => Driver([]).RunGenerators(_fiftyModels);

    [Benchmark(Description = "50 models, after an unrelated edit")]
    public GeneratorDriver FiftyModelsIncremental() => _warmDriver.RunGenerators(_fiftyModelsEdited);

    [Benchmark(Description = "4.9 MB weights compiled in: generator")]
    public GeneratorDriver BigWeightsGenerator() => Driver([_bigWeights]).RunGenerators(_bigModel);

    [Benchmark(Description = "4.9 MB weights compiled in: C# compiler emits the generated code")]
    public bool BigWeightsCompile()
    {
        using var pe = new MemoryStream();
        return _bigModelGenerated.Emit(pe).Success;
    }

    private static CSharpCompilation Compile(string source) => CSharpCompilation.Create("Bench",
        [CSharpSyntaxTree.ParseText(source, Parse)], References, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

    private static GeneratorDriver Driver(AdditionalText[] files) =>
        CSharpGeneratorDriver.Create([new RecurrentModelGenerator().AsSourceGenerator()], additionalTexts: files, parseOptions: Parse);

    private static void WriteWeights(string path, (string Name, int[] Shape)[] tensors)
    {
        var header = new StringBuilder("{");
        long offset = 0;
        foreach (var (name, shape) in tensors)
        {
            long bytes = 4L * shape.Aggregate(1, (a, b) => a * b);
            header.Append($"\"{name}\":{{\"dtype\":\"F32\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{offset},{offset + bytes}]}},");
            offset += bytes;
        }
        header.Length--;
        header.Append('}');
        byte[] json = Encoding.UTF8.GetBytes(header.ToString());
        using var file = File.Create(path);
        file.Write(BitConverter.GetBytes((ulong)json.Length));
        file.Write(json);
        var random = new Random(1);
        var values = new byte[offset];
        for (long i = 0; i < offset / 4; i++) BitConverter.TryWriteBytes(values.AsSpan((int)(4 * i)), (float)(random.NextDouble() - 0.5));
        file.Write(values);
    }

    private sealed class FileText(string path) : AdditionalText
    {
        public override string Path => path;

        public override SourceText? GetText(System.Threading.CancellationToken cancellationToken = default) => null;
    }
}
