using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using RnnGen.Generator.Infrastructure;

namespace RnnGen.Generator.Weights;

/// <summary>One tensor of a weights file, decoded to double (F32 and F64 are exact in double).</summary>
internal sealed record WeightsTensor(string Name, string DType, EquatableArray<int> Shape, EquatableArray<double> Values)
{
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}

/// <summary>
/// A safetensors file named in AdditionalFiles, read once per change of the file. <see cref="Error"/> is set when it
/// could not be read or is not valid safetensors; tensors of other dtypes keep their name, dtype and shape, no values.
/// </summary>
internal sealed record WeightsFile(string Path, string? Error, EquatableArray<WeightsTensor> Tensors)
{
    /// <summary>Larger files are refused before they are read (the generator holds the values in memory).</summary>
    public const long MaxBytes = 512L * 1024 * 1024;

    /// <summary>The file is read in pieces of this size, so that a cancelled build does not wait for the whole file.</summary>
    private const int ReadChunk = 1 << 20;

    /// <summary>Tensor values are decoded in runs of this many, with a cancellation check between runs.</summary>
    private const int DecodeRun = 1 << 16;

    public static WeightsFile Read(string path, CancellationToken token)
    {
        byte[] bytes;
        try
        {
            // Roslyn has no API for binary AdditionalFiles (GetText decodes them as text), so the file is read from disk
            // here, once per change of the AdditionalText; nothing else in the generator touches the file system.
#pragma warning disable RS1035 // Do not use APIs banned for analyzers: see above.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
#pragma warning restore RS1035
            if (stream.Length > MaxBytes)
                return new WeightsFile(path, $"it has {stream.Length} bytes, more than the {MaxBytes} supported", EquatableArray<WeightsTensor>.Empty);
            bytes = new byte[stream.Length];
            for (int read = 0, count; read < bytes.Length; read += count)
            {
                token.ThrowIfCancellationRequested();
                count = stream.Read(bytes, read, Math.Min(ReadChunk, bytes.Length - read));
                if (count == 0) throw new IOException("it became shorter while it was read");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return new WeightsFile(path, "it cannot be read (" + e.Message + ")", EquatableArray<WeightsTensor>.Empty);
        }
        token.ThrowIfCancellationRequested();
        try
        {
            return new WeightsFile(path, null, Parse(bytes, token).ToEquatableArray());
        }
        catch (FormatException e)
        {
            return new WeightsFile(path, e.Message, EquatableArray<WeightsTensor>.Empty);
        }
    }

    private static List<WeightsTensor> Parse(byte[] bytes, CancellationToken token)
    {
        if (bytes.Length < 8) throw new FormatException($"it has {bytes.Length} bytes, fewer than the 8-byte header length");
        ulong headerLength = BitConverter.ToUInt64(LittleEndian(bytes, 0, 8), 0);
        if (headerLength == 0 || headerLength > (ulong)(bytes.Length - 8))
            throw new FormatException($"the header length {headerLength} does not fit in the file's {bytes.Length} bytes");
        int dataStart = 8 + (int)headerLength;
        if (HeaderJson.Parse(bytes, 8, (int)headerLength, token) is not Dictionary<string, object?> header)
            throw new FormatException("the header is not a JSON object");

        var entries = new List<(string Name, string DType, int[] Shape, long Begin, long End)>();
        foreach (KeyValuePair<string, object?> entry in header)
        {
            token.ThrowIfCancellationRequested();
            if (entry.Key == "__metadata__") continue;
            if (entry.Value is not Dictionary<string, object?> fields) throw new FormatException($"entry '{entry.Key}' is not an object");
            string dtype = fields.TryGetValue("dtype", out object? d) && d is string s ? s : throw new FormatException($"tensor '{entry.Key}' has no dtype");
            int[] shape = Integers(fields, "shape", entry.Key).Select(v => v is >= 0 and <= int.MaxValue ? (int)v : throw new FormatException($"tensor '{entry.Key}' has an invalid dimension {v}")).ToArray();
            long[] offsets = Integers(fields, "data_offsets", entry.Key);
            if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0]) throw new FormatException($"tensor '{entry.Key}' has invalid data_offsets");
            entries.Add((entry.Key, dtype, shape, offsets[0], offsets[1]));
        }

        var tensors = new List<WeightsTensor>();
        long dataLength = bytes.Length - dataStart;
        long expectedBegin = 0;
        foreach (var (name, dtype, shape, begin, end) in entries.OrderBy(e => e.Begin))
        {
            token.ThrowIfCancellationRequested();
            if (begin != expectedBegin) throw new FormatException($"tensor '{name}' starts at byte {begin}, expected {expectedBegin} (no holes or overlaps)");
            if (end > dataLength) throw new FormatException($"tensor '{name}' ends at byte {end}, past the {dataLength} data bytes: the file is truncated");
            int size = dtype switch { "F64" or "I64" or "U64" => 8, "F32" or "I32" or "U32" => 4, "F16" or "BF16" or "I16" or "U16" => 2, "BOOL" or "U8" or "I8" or "F8_E4M3" or "F8_E5M2" => 1, _ => 0 };
            if (size == 0) throw new FormatException($"tensor '{name}' has unknown dtype '{dtype}'");
            long count = 1;
            foreach (int dimension in shape)
            {
                if (dimension != 0 && count > dataLength / dimension) throw new FormatException($"tensor '{name}' {Shape(shape)} is larger than the file");
                count *= dimension;
            }
            if (count * size != end - begin) throw new FormatException($"tensor '{name}' {dtype} {Shape(shape)} needs {count * size} bytes but its data_offsets span {end - begin}");
            var values = new double[dtype is "F32" or "F64" ? count : 0];
            int at = dataStart + (int)begin;
            for (int i = 0; i < values.Length; i++)
            {
                if (i % DecodeRun == 0) token.ThrowIfCancellationRequested();
                values[i] = size == 4 ? ReadSingle(bytes, at + 4 * i) : ReadDouble(bytes, at + 8 * i);
            }
            tensors.Add(new WeightsTensor(name, dtype, shape.ToEquatableArray(), values.ToEquatableArray()));
            expectedBegin = end;
        }
        if (expectedBegin != dataLength) throw new FormatException($"there are {dataLength - expectedBegin} bytes after the last tensor");
        return tensors;
    }

    private static long[] Integers(Dictionary<string, object?> fields, string key, string tensor) =>
        fields.TryGetValue(key, out object? value) && value is List<object?> list && list.All(v => v is long)
            ? list.Select(v => (long)v!).ToArray()
            : throw new FormatException($"tensor '{tensor}' has no valid {key}");

    private static string Shape(int[] shape) => "[" + string.Join(", ", shape) + "]";

    private static float ReadSingle(byte[] bytes, int at) =>
        BitConverter.IsLittleEndian ? BitConverter.ToSingle(bytes, at) : BitConverter.ToSingle(LittleEndian(bytes, at, 4), 0);

    private static double ReadDouble(byte[] bytes, int at) =>
        BitConverter.IsLittleEndian ? BitConverter.ToDouble(bytes, at) : BitConverter.ToDouble(LittleEndian(bytes, at, 8), 0);

    /// <summary>The bytes in the machine's order (safetensors is little-endian).</summary>
    private static byte[] LittleEndian(byte[] bytes, int offset, int count)
    {
        var slice = new byte[count];
        Array.Copy(bytes, offset, slice, 0, count);
        if (!BitConverter.IsLittleEndian) Array.Reverse(slice);
        return slice;
    }
}
