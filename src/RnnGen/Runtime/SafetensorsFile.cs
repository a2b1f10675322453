using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace RnnGen;

/// <summary>
/// A parsed safetensors file (https://github.com/huggingface/safetensors): an 8-byte little-endian header length N,
/// N bytes of JSON mapping each tensor name to its dtype, shape and byte range, then the tensors' bytes.
/// The whole file is read into memory and checked before any tensor is returned.
/// </summary>
public sealed class SafetensorsFile
{
    /// <summary>Headers larger than this are refused (the reference implementation uses the same bound).</summary>
    public const int MaxHeaderBytes = 100_000_000;

    private readonly Dictionary<string, SafetensorsTensor> _byName;

    private SafetensorsFile(List<SafetensorsTensor> tensors, Dictionary<string, string> metadata)
    {
        Tensors = tensors;
        Metadata = metadata;
        _byName = new Dictionary<string, SafetensorsTensor>(StringComparer.Ordinal);
        foreach (SafetensorsTensor tensor in tensors) _byName[tensor.Name] = tensor;
    }

    /// <summary>The tensors in the order of their data in the file.</summary>
    public IReadOnlyList<SafetensorsTensor> Tensors { get; }

    /// <summary>The optional <c>__metadata__</c> string map.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensor called <paramref name="name"/>, or <see langword="null"/>.</summary>
    public SafetensorsTensor? Find(string name) => _byName.TryGetValue(name, out SafetensorsTensor? tensor) ? tensor : null;

    /// <summary>The tensor called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No tensor has that name.</exception>
    public SafetensorsTensor this[string name] =>
        Find(name) ?? throw new KeyNotFoundException($"The safetensors file has no tensor '{name}'.");

    /// <summary>Reads and checks a safetensors file.</summary>
    /// <exception cref="InvalidDataException">The file is not valid safetensors; the message says why.</exception>
    public static SafetensorsFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using FileStream stream = File.OpenRead(path);
        return Read(stream);
    }

    /// <summary>Reads and checks safetensors data from the stream's current position to its end.</summary>
    /// <exception cref="InvalidDataException">The data is not valid safetensors; the message says why.</exception>
    public static SafetensorsFile Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] prefix = new byte[8];
        ReadExactly(stream, prefix, "the 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength == 0 || headerLength > MaxHeaderBytes)
            throw new InvalidDataException($"Not a safetensors file: header length {headerLength} is outside 1..{MaxHeaderBytes}.");
        if (stream.CanSeek && (long)headerLength > stream.Length - stream.Position)
            throw new InvalidDataException($"Truncated safetensors file: it ends inside the {headerLength}-byte JSON header ({stream.Length - stream.Position} of {headerLength} bytes).");
        byte[] header = ReadHeader(stream, (int)headerLength);
        var data = new MemoryStream();
        stream.CopyTo(data);
        byte[] buffer = data.GetBuffer();
        var bytes = new ReadOnlyMemory<byte>(buffer, 0, checked((int)data.Length));
        return Parse(header, bytes);
    }

    /// <summary>Reads the header in chunks, so a lying length on a non-seekable stream cannot force a huge allocation up front.</summary>
    private static byte[] ReadHeader(Stream stream, int length)
    {
        if (length <= 1 << 20)
        {
            byte[] small = new byte[length];
            ReadExactly(stream, small, $"the {length}-byte JSON header");
            return small;
        }
        var header = new MemoryStream();
        byte[] chunk = new byte[1 << 20];
        while (header.Length < length)
        {
            int n = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, length - header.Length));
            if (n == 0) throw new InvalidDataException($"Truncated safetensors file: it ends inside the {length}-byte JSON header ({header.Length} bytes read).");
            header.Write(chunk, 0, n);
        }
        return header.ToArray();
    }

    private static void ReadExactly(Stream stream, byte[] buffer, string what)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = stream.Read(buffer, read, buffer.Length - read);
            if (n == 0) throw new InvalidDataException($"Truncated safetensors file: it ends inside {what} ({read} of {buffer.Length} bytes).");
            read += n;
        }
    }

    private static SafetensorsFile Parse(byte[] header, ReadOnlyMemory<byte> data)
    {
        var entries = new List<(string Name, string DType, int[] Shape, long Begin, long End)>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            var reader = new Utf8JsonReader(header);
            Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject, "the header is not a JSON object");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                string name = reader.GetString()!;
                Expect(seen.Add(name), $"tensor '{name}' appears twice in the header");
                Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject, $"entry '{name}' is not a JSON object");
                if (name == "__metadata__") ReadMetadata(ref reader, metadata);
                else entries.Add(ReadEntry(ref reader, name));
            }
            while (reader.Read())
                Expect(false, "there is content after the header's JSON object");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            // Invalid UTF-8 surfaces as InvalidOperationException from Utf8JsonReader.GetString().
            throw new InvalidDataException($"Not a safetensors file: the header is not valid JSON in UTF-8 ({e.Message}).", e);
        }

        entries.Sort((a, b) => a.Begin.CompareTo(b.Begin));
        var tensors = new List<SafetensorsTensor>(entries.Count);
        long expectedBegin = 0;
        foreach (var (name, dtype, shape, begin, end) in entries)
        {
            Expect(begin == expectedBegin, $"tensor '{name}' starts at byte {begin}, expected {expectedBegin} (data must be contiguous, without holes or overlaps)");
            Expect(end <= data.Length, $"tensor '{name}' ends at byte {end}, past the end of the data ({data.Length} bytes): the file is truncated");
            long expectedBytes = ElementBytes(dtype);
            foreach (int dimension in shape)
            {
                Expect(dimension == 0 || expectedBytes <= data.Length / dimension,
                    $"tensor '{name}' {dtype} {ParameterInfo.FormatShape(shape)} is larger than the file's {data.Length} data bytes");
                expectedBytes *= dimension;
            }
            Expect(end - begin == expectedBytes, $"tensor '{name}' {dtype} {ParameterInfo.FormatShape(shape)} needs {expectedBytes} bytes but its data_offsets span {end - begin}");
            tensors.Add(new SafetensorsTensor(name, dtype, shape, data.Slice((int)begin, (int)(end - begin))));
            expectedBegin = end;
        }
        Expect(expectedBegin == data.Length, $"the file has {data.Length - expectedBegin} bytes after the last tensor");
        return new SafetensorsFile(tensors, metadata);
    }

    private static void ReadMetadata(ref Utf8JsonReader reader, Dictionary<string, string> metadata)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            string key = reader.GetString()!;
            Expect(reader.Read() && reader.TokenType == JsonTokenType.String, $"metadata value '{key}' is not a string");
            metadata[key] = reader.GetString()!;
        }
    }

    private static (string, string, int[], long, long) ReadEntry(ref Utf8JsonReader reader, string name)
    {
        string? dtype = null;
        int[]? shape = null;
        long[]? offsets = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            string property = reader.GetString()!;
            reader.Read();
            switch (property)
            {
                case "dtype":
                    Expect(reader.TokenType == JsonTokenType.String, $"tensor '{name}' has a dtype that is not a string");
                    dtype = reader.GetString()!;
                    Expect(ElementBytes(dtype) > 0, $"tensor '{name}' has unknown dtype '{dtype}'");
                    break;
                case "shape":
                    shape = Array.ConvertAll(ReadIntegers(ref reader, name, property), d =>
                    {
                        Expect(d >= 0 && d <= int.MaxValue, $"tensor '{name}' has an invalid dimension {d}");
                        return (int)d;
                    });
                    break;
                case "data_offsets":
                    offsets = ReadIntegers(ref reader, name, property);
                    Expect(offsets.Length == 2 && offsets[0] >= 0 && offsets[0] <= offsets[1], $"tensor '{name}' has invalid data_offsets");
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        Expect(dtype is not null, $"tensor '{name}' has no dtype");
        Expect(shape is not null, $"tensor '{name}' has no shape");
        Expect(offsets is not null, $"tensor '{name}' has no data_offsets");
        return (name, dtype!, shape!, offsets![0], offsets[1]);
    }

    private static long[] ReadIntegers(ref Utf8JsonReader reader, string name, string property)
    {
        Expect(reader.TokenType == JsonTokenType.StartArray, $"tensor '{name}' has a {property} that is not an array");
        var values = new List<long>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            Expect(reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long value), $"tensor '{name}' has a {property} entry that is not an integer");
            values.Add(reader.GetInt64());
        }
        return values.ToArray();
    }

    /// <summary>Bytes per element of a safetensors dtype; 0 if unknown.</summary>
    internal static int ElementBytes(string dtype) => dtype switch
    {
        "BOOL" or "U8" or "I8" or "F8_E4M3" or "F8_E5M2" => 1,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "F32" or "I32" or "U32" => 4,
        "F64" or "I64" or "U64" => 8,
        _ => 0,
    };

    private static void Expect(bool condition, string problem)
    {
        if (!condition) throw new InvalidDataException("Not a valid safetensors file: " + problem + ".");
    }
}
