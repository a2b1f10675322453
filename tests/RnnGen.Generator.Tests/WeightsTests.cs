using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using RnnGen.Generator.Infrastructure;
using RnnGen.Generator.Tests.Infrastructure;
using Xunit;

namespace RnnGen.Generator.Tests;

/// <summary>
/// Weights compiled in from a safetensors AdditionalFile: the values land in the generated code, every mismatch is a
/// build error at the Weights argument naming the file and the tensor, and the file is read only when it changes.
/// </summary>
public sealed class WeightsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("rnngen-weights-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private const string Model = """
        using RnnGen;
        namespace Demo;
        [RecurrentModel(2, Weights = {|W0001:"models/tiny.safetensors"|})]
        [Gru(3)]
        [Gru(3)]
        [Dense(1)]
        public partial class Tiny;
        """;

    /// <summary>Tiny's tensors, PyTorch names and shapes: two GRU layers and a Dense head.</summary>
    private static readonly (string Name, int[] Shape)[] Layout =
    [
        ("rnn.weight_ih_l0", [9, 2]), ("rnn.weight_hh_l0", [9, 3]), ("rnn.bias_ih_l0", [9]), ("rnn.bias_hh_l0", [9]),
        ("rnn.weight_ih_l1", [9, 3]), ("rnn.weight_hh_l1", [9, 3]), ("rnn.bias_ih_l1", [9]), ("rnn.bias_hh_l1", [9]),
        ("head.weight", [1, 3]), ("head.bias", [1]),
    ];

    private string WriteFile(IEnumerable<(string Name, int[] Shape)> tensors, string dtype = "F32", string name = "tiny.safetensors")
    {
        var list = tensors.ToList();
        var header = new StringBuilder("{");
        var data = new MemoryStream();
        int size = dtype == "F64" ? 8 : 4;
        float value = 0.5f;
        foreach (var (tensorName, shape) in list)
        {
            int count = shape.Aggregate(1, (a, b) => a * b);
            header.Append($"\"{tensorName}\":{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{data.Length},{data.Length + count * size}]}},");
            for (int i = 0; i < count; i++, value += 0.25f)
                data.Write(dtype == "F64" ? BitConverter.GetBytes((double)value) : dtype == "F32" ? BitConverter.GetBytes(value) : BitConverter.GetBytes((int)value));
        }
        header.Length--;
        header.Append('}');
        string folder = Path.Combine(_folder, "models");
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, name);
        using var file = File.Create(path);
        byte[] headerBytes = Encoding.UTF8.GetBytes(header.ToString());
        file.Write(BitConverter.GetBytes((ulong)headerBytes.Length));
        file.Write(headerBytes);
        data.Position = 0;
        data.CopyTo(file);
        return path;
    }

    private static (GeneratorHarness Harness, GeneratorDriverRunResult Result, Microsoft.CodeAnalysis.Text.TextSpan Argument) Run(string model, params string[] files)
    {
        (string source, var expected) = DiagnosticMarkup.Parse(model);
        var harness = new GeneratorHarness(GeneratorHarness.ParseOptions, [source], files.Select(f => (AdditionalText)new FileAdditionalText(f)).ToArray());
        return (harness, harness.Run(), expected.SingleOrDefault(e => e.Id == "W0001").Span);
    }

    [Fact]
    public void ValidFileIsCompiledIn()
    {
        string path = WriteFile(Layout);
        var (harness, result, _) = Run(Model, path);
        Assert.Empty(result.Diagnostics);
        string generated = GeneratorHarness.Generated(result).Single().Value;
        Assert.Contains("private const string CompiledParametersPacked = \"", generated);
        Assert.Contains("private readonly global::RnnGen.AlignedBuffer<float> _parameters = CompiledParameters();", generated);
        // 0.5f = 0x3F000000: characters \u0000 (escaped) and 0x3F00 ('㼀'); 0.75f = 0x3F400000: \u0000 and 0x3F40 ('㽀').
        Assert.Contains("\"\\u0000\u3F00\\u0000\u3F40", generated);
        harness.EmitClean();
    }

    [Fact]
    public void DoubleFileIntoDoubleModelKeepsEveryBit()
    {
        string path = WriteFile(Layout, "F64");
        var (_, result, _) = Run(Model.Replace("[RecurrentModel(2,", "[RecurrentModel(2, ElementType = typeof(double),"), path);
        Assert.Empty(result.Diagnostics);
        // 0.5 = 0x3FE0000000000000: three \u0000 characters, then 0x3FE0.
        Assert.Contains("\"\\u0000\\u0000\\u0000\u3FE0", GeneratorHarness.Generated(result).Single().Value);
    }

    public static TheoryData<string, string, string[]> Mismatches => new()
    {
        { "missing head bias", "RNNG0203", ["'head.bias'", "[1]", "Dense layer 0", "models/tiny.safetensors"] },
        { "stacked layer absent", "RNNG0203", ["'rnn.weight_ih_l1'", "recurrent layer 1 (GRU)"] },
        { "extra tensor", "RNNG0204", ["'rnn.weight_ih_l2'", "[9, 3]", "not a parameter"] },
        { "wrong shape", "RNNG0205", ["'rnn.weight_hh_l0'", "[9, 2]", "expected [9, 3]"] },
        { "wrong dtype", "RNNG0206", ["'head.weight'", "I32"] },
        { "not safetensors", "RNNG0202", ["not a valid safetensors file", "header length"] },
        { "truncated", "RNNG0202", ["truncated"] },
        { "not in AdditionalFiles", "RNNG0201", ["AdditionalFiles Include=\"models/tiny.safetensors\""] },
    };

    [Theory]
    [MemberData(nameof(Mismatches))]
    public void MismatchIsABuildErrorAtTheWeightsArgument(string kind, string id, string[] messageParts)
    {
        List<(string Name, int[] Shape)> tensors = [.. Layout];
        string? path = null;
        switch (kind)
        {
            case "missing head bias": tensors.RemoveAll(t => t.Name == "head.bias"); break;
            case "stacked layer absent": tensors.RemoveAll(t => t.Name.EndsWith("_l1")); break;
            case "extra tensor": tensors.Add(("rnn.weight_ih_l2", [9, 3])); break;
            case "wrong shape": tensors[1] = ("rnn.weight_hh_l0", [9, 2]); break;
            case "wrong dtype":
                path = WriteFile(tensors.Where(t => t.Name == "head.weight"), "I32", "int.safetensors");
                tensors.RemoveAll(t => t.Name == "head.weight");
                path = MergeInto(WriteFile(tensors), path);
                break;
            case "not safetensors":
                path = WriteFile(tensors);
                File.WriteAllBytes(path, Encoding.UTF8.GetBytes("this is not a weights file at all"));
                break;
            case "truncated":
                path = WriteFile(tensors);
                byte[] bytes = File.ReadAllBytes(path);
                File.WriteAllBytes(path, bytes[..^10]);
                break;
        }
        path ??= WriteFile(tensors);
        var (harness, result, argument) = kind == "not in AdditionalFiles" ? Run(Model) : Run(Model, path);
        Assert.Empty(result.GeneratedTrees);
        Diagnostic diagnostic = result.Diagnostics.First(d => d.Id == id && d.GetMessage().Contains(messageParts[0]));
        Assert.All(result.Diagnostics, d => Assert.Equal(id, d.Id));
        Assert.Equal(argument, diagnostic.Location.SourceSpan);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        foreach (string part in messageParts) Assert.Contains(part, diagnostic.GetMessage());
        if (kind == "stacked layer absent")
            Assert.Equal(4, result.Diagnostics.Count(d => d.Id == "RNNG0203"));  // all four tensors of layer 1, not just one
        _ = harness;
    }

    /// <summary>A file with the tensors of <paramref name="main"/> plus the I32 tensor of <paramref name="extra"/>.</summary>
    private string MergeInto(string main, string extra)
    {
        // Rebuild by hand: main's tensors as F32, then head.weight as I32.
        var tensors = Layout.Where(t => t.Name != "head.weight").ToList();
        var header = new StringBuilder("{");
        var data = new MemoryStream();
        foreach (var (name, shape) in tensors)
        {
            int count = shape.Aggregate(1, (a, b) => a * b);
            header.Append($"\"{name}\":{{\"dtype\":\"F32\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{data.Length},{data.Length + count * 4}]}},");
            data.Write(new byte[count * 4]);
        }
        header.Append($"\"head.weight\":{{\"dtype\":\"I32\",\"shape\":[1,3],\"data_offsets\":[{data.Length},{data.Length + 12}]}}}}");
        data.Write(new byte[12]);
        byte[] headerBytes = Encoding.UTF8.GetBytes(header.ToString());
        using (var file = File.Create(main))
        {
            file.Write(BitConverter.GetBytes((ulong)headerBytes.Length));
            file.Write(headerBytes);
            file.Write(data.ToArray());
        }
        File.Delete(extra);
        return main;
    }

    [Fact]
    public void EmptyPathAndRestStateWithoutWeightsAreErrors()
    {
        var (_, result, _) = Run("""
            using RnnGen;
            [RecurrentModel(2, Weights = "")] [Lstm(3)] public partial class A;
            [RecurrentModel(2, RestState = true)] [Lstm(3)] public partial class B;
            """);
        Assert.Equal(["RNNG0201", "RNNG0207"], result.Diagnostics.Select(d => d.Id).OrderBy(i => i));
    }

    [Fact]
    public void TheFileIsReadOnlyWhenItChanges()
    {
        string path = WriteFile(Layout);
        var (harness, first, _) = Run(Model, path);
        Assert.Empty(first.Diagnostics);

        // An edit elsewhere: the file is not read again and the model is not re-emitted.
        harness.AddSource("Other.cs", "namespace Demo; public class Unrelated { }");
        GeneratorDriverRunResult edit = harness.Run();
        Assert.All(edit.Results[0].TrackedSteps[TrackingNames.WeightsFiles].SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        Assert.All(edit.Results[0].TrackedSteps[TrackingNames.Bind].SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        Assert.All(edit.Results[0].TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));

        // Editing the weights file regenerates the model with the new values.
        string before = GeneratorHarness.Generated(edit).Single().Value;
        List<(string Name, int[] Shape)> changed = [.. Layout];
        changed.Reverse();
        WriteFile(changed);
        AdditionalText old = harness.AdditionalTexts.Single();
        harness.ReplaceAdditionalText(old, new FileAdditionalText(path));
        GeneratorDriverRunResult reread = harness.Run();
        Assert.Contains(reread.Results[0].TrackedSteps[TrackingNames.WeightsFiles].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.NotEqual(before, GeneratorHarness.Generated(reread).Single().Value);
    }
}
