using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using CsCheck;
using Xunit;
using Xunit.Abstractions;
using RnnGen.Tests.Fuzzing;

namespace RnnGen.Numerics.Tests.Fuzzing;

/// <summary>A fuzzed safetensors file: the model it is meant for, how its valid original was made, and the mutations applied.</summary>
internal sealed record SafetensorsCase(int Target, int Seed, bool[] F64, bool Shuffle, bool Metadata, bool Specials, Mutation[] Mutations)
{
    public FuzzTarget NewTarget() => FuzzTarget.SafetensorsTargets[Target]();

    /// <summary>The valid file: every tensor of the model, F32 or F64 each, random values (NaN, ±Inf, subnormals, −0 if <see cref="Specials"/>).</summary>
    public byte[] Original()
    {
        FuzzTarget target = NewTarget();
        var random = new Random(Seed);
        var builder = new SafetensorsBuilder();
        var layout = target.Layout.ToList();
        if (Shuffle) layout = layout.OrderBy(_ => random.Next()).ToList(); // data order need not be the layout's
        for (int t = 0; t < layout.Count; t++)
        {
            ParameterInfo p = layout[t];
            bool f64 = F64[t % F64.Length];
            var bytes = new byte[p.Length * (f64 ? 8 : 4)];
            for (int i = 0; i < p.Length; i++)
            {
                double v = Specials && random.Next(4) == 0 ? SpecialValues[random.Next(SpecialValues.Length)] : random.NextDouble() * 4 - 2;
                if (f64) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(8 * i), v);
                else BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), (float)v);
            }
            builder.AddRaw(p.Name, f64 ? "F64" : "F32", p.Shape.ToArray(), bytes);
        }
        byte[] file = builder.Build();
        if (!Metadata) return file;
        // {"__metadata__":{"format":"pt"}, …} as PyTorch's save_file writes it.
        string header = Encoding.UTF8.GetString(builder.Header()).TrimEnd(' ');
        byte[] withMetadata = Encoding.UTF8.GetBytes("{\"__metadata__\":{\"format\":\"pt\"}," + header[1..]);
        var result = new byte[8 + withMetadata.Length + (file.Length - 8 - builder.Header().Length)];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)withMetadata.Length);
        withMetadata.CopyTo(result, 8);
        file.AsSpan(8 + builder.Header().Length).CopyTo(result.AsSpan(8 + withMetadata.Length));
        return result;
    }

    public byte[] Bytes() => Mutations.Aggregate(Original(), (file, m) => m.Apply(file));

    /// <summary>NaN with payloads, infinities, subnormals, signed zero, extremes: all loaded as values (see <see cref="SafetensorsFuzzTests"/>).</summary>
    public static readonly double[] SpecialValues =
    [
        double.NaN, BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_ABCD), BitConverter.Int64BitsToDouble(unchecked((long)0xFFF0_0000_0000_0001)),
        double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, -0d, double.MaxValue, float.MaxValue, float.Epsilon, 1e-40,
    ];

    public override string ToString()
    {
        byte[] bytes = Bytes();
        int headerLength = bytes.Length >= 8 ? (int)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(bytes), (ulong)Math.Max(0, Math.Min(bytes.Length - 8, 2000))) : 0;
        string header = bytes.Length >= 8 ? Encoding.UTF8.GetString(bytes, 8, headerLength) : "";
        return $"model {NewTarget().Name}, seed {Seed}, F64 {string.Concat(F64.Select(b => b ? '1' : '0'))}, shuffle {Shuffle}, metadata {Metadata}, specials {Specials}\n" +
               $"mutations: {string.Join("; ", Mutations.Select(m => m.Description))}\n" +
               $"{bytes.Length} bytes, prefix {(bytes.Length >= 8 ? BinaryPrimitives.ReadUInt64LittleEndian(bytes) : 0)}, header: {header}";
    }
}

/// <summary>
/// Fuzzes the safetensors reader (<see cref="SafetensorsFile.Read(Stream)"/>) and <c>LoadSafetensors</c> with mutated
/// and hostile files: valid files for six models (F32/F64 per tensor, any data order, metadata, special values), then
/// 1–3 mutations each, blind (bit flips, bytes set, inserted, deleted, truncation, junk) and structured (header length
/// from 0 to 2^64−1, duplicate and escaped-duplicate names, invalid UTF-8, unicode and empty names, dtypes that disagree
/// with the byte count, dimensions and offsets that overflow every integer type, overlapping, reversed, out-of-bounds
/// and non-contiguous offsets, missing fields, metadata of every shape, deep nesting, replaced headers, padding, data
/// truncated, extended or holding NaN/Inf).
/// </summary>
/// <remarks>
/// <para>Properties of every file (<see cref="FuzzChecks.CheckSafetensors"/>): <c>SafetensorsFile.Read</c> (from a
/// seekable and from a non-seekable stream, which agree) and <c>LoadSafetensors</c> (from a stream, and for one case in
/// eight from a path) either succeed or throw <see cref="InvalidDataException"/>, never anything else; after a failed
/// load the parameters are bit for bit what they were; after a successful one they are exactly the file's values; and
/// no call allocates more than 64 × the file's length + 1 MB (+ 16 bytes per parameter for the staged copy), so no
/// buffer is sized by an unchecked header field.</para>
/// <para>NaN/Inf policy (what the loader does today, tested here as it is): safetensors holds raw IEEE values and the
/// loader does not judge them. NaN (any payload), ±Inf, subnormals and −0 load as values: bit for bit into a model of
/// the file's element type, and F64 → float rounds as a C# <c>(float)</c> cast (so a double too large for float
/// becomes ±Inf). A file of non-finite weights is a valid file; checking weights for finiteness is the caller's choice.</para>
/// <para>2000 mutated files and 200 special-value files in CI (fixed seeds, about 2 s), × <c>RNNGEN_FUZZ_SCALE</c> locally.</para>
/// </remarks>
public sealed class SafetensorsFuzzTests(ITestOutputHelper output)
{
    public const int MutatedCases = 2000;
    public const int SpecialValueCases = 200;

    private static Gen<SafetensorsCase> Cases(Gen<Mutation[]> mutations, bool specials) =>
        from target in Gen.Int[0, FuzzTarget.SafetensorsTargets.Length - 1]
        from seed in Gen.Int[0, 1_000_000]
        from f64 in Gen.Bool.Array[1, 4]
        from shuffle in Gen.Bool
        from metadata in Gen.Bool
        from special in specials ? Gen.Const(true) : Gen.Int[0, 9].Select(i => i == 0)
        from m in mutations
        select new SafetensorsCase(target, seed, f64, shuffle, metadata, special, m);

    private static readonly Gen<Mutation> AnyMutation = Gen.Frequency((35, (IGen<Mutation>)Mutations.Bytes), (65, Mutations.Safetensors));

    [Fact]
    public void MutatedFilesThrowOnlyInvalidDataAndLeaveTheModelUnchanged()
    {
        int valid = 0, invalid = 0;
        int cases = FuzzRunner.Run(nameof(MutatedFilesThrowOnlyInvalidDataAndLeaveTheModelUnchanged), Cases(AnyMutation.Array[1, 3], specials: false), c =>
        {
            byte[] bytes = c.Bytes();
            FuzzChecks.CheckSafetensors(bytes, c.NewTarget(), c.Seed, viaPath: c.Seed % 8 == 0);
            bool readable;
            try { SafetensorsFile.Read(new MemoryStream(bytes)); readable = true; }
            catch (InvalidDataException) { readable = false; }
            if (readable) valid++; else invalid++;
        }, MutatedCases, seed: 0x5AFE_0001, output);
        output.WriteLine($"{cases} mutated files: {invalid} refused by SafetensorsFile.Read, {valid} still valid safetensors (then loaded or refused by the model check)");
        Assert.True(invalid > cases / 2, "Most mutations should break the file: the mutators are not reaching the parser");
    }

    [Fact]
    public void NonFiniteAndSpecialValuesLoadAsValuesBitForBit() =>
        FuzzRunner.Run(nameof(NonFiniteAndSpecialValuesLoadAsValuesBitForBit), Cases(Gen.Const(Array.Empty<Mutation>()), specials: true), c =>
        {
            byte[] bytes = c.Bytes();
            FuzzTarget target = c.NewTarget();
            target.FillSentinel(c.Seed);
            target.LoadSafetensors(new MemoryStream(bytes)); // a file of NaN and Inf is a valid file
            byte[] loaded = target.Bits();

            // Each value is the file's, converted by a plain cast: bit for bit at the same width.
            SafetensorsFile file = SafetensorsFile.Read(new MemoryStream(bytes));
            foreach (ParameterInfo p in target.Layout)
            {
                SafetensorsTensor tensor = file[p.Name];
                for (int i = 0; i < p.Length; i++)
                {
                    if (target.IsDouble)
                    {
                        double expected = tensor.DType == "F64" ? BinaryPrimitives.ReadDoubleLittleEndian(tensor.Bytes[(8 * i)..]) : BinaryPrimitives.ReadSingleLittleEndian(tensor.Bytes[(4 * i)..]);
                        double actual = BitConverter.ToDouble(loaded, 8 * (p.Offset + i));
                        if (tensor.DType == "F64") Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(actual));
                        else Assert.True(expected.Equals(actual), $"{p.Name}[{i}]: {expected} widened to {actual}"); // NaN equals NaN here
                    }
                    else
                    {
                        float expected = tensor.DType == "F32" ? BinaryPrimitives.ReadSingleLittleEndian(tensor.Bytes[(4 * i)..]) : (float)BinaryPrimitives.ReadDoubleLittleEndian(tensor.Bytes[(8 * i)..]);
                        float actual = BitConverter.ToSingle(loaded, 4 * (p.Offset + i));
                        if (tensor.DType == "F32") Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(actual));
                        else Assert.True(expected.Equals(actual), $"{p.Name}[{i}]: {expected} narrowed to {actual}");
                    }
                }
            }

            // Stable: loading again gives the same bits, and a save → load round trip keeps them.
            target.FillSentinel(c.Seed + 1);
            target.LoadSafetensors(new MemoryStream(bytes));
            Assert.Equal(loaded, target.Bits());
            var saved = new MemoryStream();
            switch (target.Model)
            {
                case IRecurrentModel<float> f: f.SaveSafetensors(saved); break;
                case IRecurrentModel<double> d: d.SaveSafetensors(saved); break;
            }
            target.FillSentinel(c.Seed + 2);
            saved.Position = 0;
            target.LoadSafetensors(saved);
            Assert.Equal(loaded, target.Bits());
        }, SpecialValueCases, seed: 0x5AFE_0002, output);

    [Fact]
    public void UnmutatedOriginalsLoadExactly()
    {
        // The control: every original is valid and loads exactly its values.
        foreach (int t in Enumerable.Range(0, FuzzTarget.SafetensorsTargets.Length))
        {
            var c = new SafetensorsCase(t, 42 + t, [t % 2 == 0, true], Shuffle: t % 2 == 1, Metadata: t % 3 == 0, Specials: false, []);
            byte[] bytes = c.Bytes();
            FuzzTarget target = c.NewTarget();
            target.LoadSafetensors(new MemoryStream(bytes));
            Assert.Equal(target.ExpectedBits(SafetensorsFile.Read(new MemoryStream(bytes))), target.Bits());
            FuzzChecks.CheckSafetensors(bytes, c.NewTarget(), c.Seed, viaPath: true);
        }
    }
}
