using System;
using System.IO;
using System.Linq;
using CsCheck;
using RnnGen.Import;
using Xunit;
using Xunit.Abstractions;
using RnnGen.Tests.Fuzzing;

namespace RnnGen.Numerics.Tests.Fuzzing;

/// <summary>A mutated importer input: which original (a reference file, or Keras JSON written for a fuzz model), and the mutations.</summary>
internal sealed record ImporterCase(string Kind, int Original, int Seed, Mutation[] Mutations)
{
    /// <summary>Keras originals: the reference files, then JSON written for every safetensors fuzz model.</summary>
    public static int KerasOriginals => ImporterFiles.Keras.Length + FuzzTarget.SafetensorsTargets.Length;

    public static int OnnxOriginals => ImporterFiles.Onnx.Length;

    public (byte[] Bytes, FuzzTarget Target) Build()
    {
        (byte[] original, FuzzTarget target) = Kind == "keras"
            ? Original < ImporterFiles.Keras.Length
                ? (ImporterFiles.Read(ImporterFiles.Keras[Original].File), ImporterFiles.Keras[Original].Target())
                : KerasForFuzzModel(Original - ImporterFiles.Keras.Length)
            : (ImporterFiles.Read(ImporterFiles.Onnx[Original].File), ImporterFiles.Onnx[Original].Target());
        return (Mutations.Aggregate(original, (file, m) => m.Apply(file)), target);
    }

    private (byte[], FuzzTarget) KerasForFuzzModel(int index)
    {
        FuzzTarget target = FuzzTarget.SafetensorsTargets[index]();
        ModelArchitecture architecture = target.Model is IRecurrentModel<float> f ? f.Architecture : ((IRecurrentModel<double>)target.Model).Architecture;
        return (ImporterFiles.KerasFor(architecture, Seed), target);
    }

    public override string ToString()
    {
        (byte[] bytes, FuzzTarget target) = Build();
        string original = Kind == "keras"
            ? Original < ImporterFiles.Keras.Length ? ImporterFiles.Keras[Original].File : $"Keras JSON for {target.Name} (seed {Seed})"
            : ImporterFiles.Onnx[Original].File;
        string text = Kind == "keras" ? System.Text.Encoding.UTF8.GetString(bytes[..Math.Min(bytes.Length, 1500)]) : Convert.ToHexString(bytes[..Math.Min(bytes.Length, 600)]);
        return $"{original} → {target.Name}\nmutations: {string.Join("; ", Mutations.Select(m => m.Description))}\n{bytes.Length} bytes: {text}";
    }
}

/// <summary>
/// Mutation fuzzing of the importers (<see cref="KerasImporter"/>, <see cref="OnnxImporter"/>), the other door hostile
/// weights come in by. Originals: every reference file of tests/reference/import (the models cases.json names), and for
/// Keras also JSON written for each fuzz model (embeddings, GRU reset-before, SimpleRNN without bias, double).
/// Mutations: blind byte edits, and edits that know the format: any JSON value replaced (numbers past double, the
/// strings the importer switches on, other kinds), removed, duplicated, wrapped, invalid UTF-8, duplicate keys, deep
/// nesting; protobuf varints (dims, types, attributes) set to extremes, floats to NaN/Inf, strings swapped for op types
/// or for the file's own names (which rewires the graph), fields removed, duplicated, resized, given other wire types.
/// </summary>
/// <remarks>
/// Properties: <c>Load</c> succeeds or throws <see cref="InvalidDataException"/> and nothing else; on failure the
/// model's parameters are bit for bit unchanged; it finishes (within 20 s: no hang on a cyclic graph); and it allocates
/// at most 64 × the file's length + 1 MB (+ 16 bytes per parameter). 1000 Keras and 1000 ONNX cases in CI (a few
/// seconds), × <c>RNNGEN_FUZZ_SCALE</c> locally. The bugs they found are in <see cref="ImporterFuzzRegressionTests"/>.
/// </remarks>
public sealed class ImporterFuzzTests(ITestOutputHelper output)
{
    public const int KerasCases = 1000;
    public const int OnnxCases = 1000;

    private static Gen<ImporterCase> Cases(string kind, int originals, Gen<Mutation> structured) =>
        from original in Gen.Int[0, originals - 1]
        from seed in Gen.Int[0, 1_000_000]
        from mutations in Gen.Frequency((30, (IGen<Mutation>)Mutations.Bytes), (70, structured)).Array[1, 3]
        select new ImporterCase(kind, original, seed, mutations);

    internal static void Check(ImporterCase c)
    {
        (byte[] bytes, FuzzTarget target) = c.Build();
        target.FillSentinel(c.Seed);
        byte[] before = target.Bits();
        long bound = FuzzChecks.AllocationBound(bytes.Length, target.ParameterCount);
        InvalidDataException? failure = null;
        FuzzChecks.WithinSeconds($"{c.Kind} import into {target.Name}", () =>
            failure = FuzzChecks.Expect($"{c.Kind} import into {target.Name}", () => Import(c.Kind, target.Model, new MemoryStream(bytes)), bound));
        if (failure is not null)
        {
            Assert.True(before.AsSpan().SequenceEqual(target.Bits()), $"{target.Name}: parameters changed by a failed import ({failure.Message})");
            Assert.Contains("not changed", failure.Message);
        }
    }

    private static void Import(string kind, object model, Stream stream)
    {
        switch (model, kind)
        {
            case (IRecurrentModel<float> f, "keras"): KerasImporter.Load(f, stream); break;
            case (IRecurrentModel<double> d, "keras"): KerasImporter.Load(d, stream); break;
            case (IRecurrentModel<float> f, _): OnnxImporter.Load(f, stream); break;
            case (IRecurrentModel<double> d, _): OnnxImporter.Load(d, stream); break;
        }
    }

    [Fact]
    public void KerasOriginalsImport()
    {
        // The control: every unmutated original imports.
        for (int i = 0; i < ImporterCase.KerasOriginals; i++)
        {
            (byte[] bytes, FuzzTarget target) = new ImporterCase("keras", i, 7, []).Build();
            Import("keras", target.Model, new MemoryStream(bytes));
        }
        for (int i = 0; i < ImporterCase.OnnxOriginals; i++)
        {
            (byte[] bytes, FuzzTarget target) = new ImporterCase("onnx", i, 7, []).Build();
            Import("onnx", target.Model, new MemoryStream(bytes));
        }
    }

    [Fact]
    public void MutatedKerasFilesThrowOnlyInvalidData() =>
        FuzzRunner.Run(nameof(MutatedKerasFilesThrowOnlyInvalidData), Cases("keras", ImporterCase.KerasOriginals, ImporterMutations.Keras), Check,
            KerasCases, seed: 0x1A7E_0001, output);

    [Fact]
    public void MutatedOnnxFilesThrowOnlyInvalidData() =>
        FuzzRunner.Run(nameof(MutatedOnnxFilesThrowOnlyInvalidData), Cases("onnx", ImporterCase.OnnxOriginals, ImporterMutations.Onnx), Check,
            OnnxCases, seed: 0x1A7E_0002, output);
}
