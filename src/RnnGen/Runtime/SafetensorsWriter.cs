using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace RnnGen;

/// <summary>Writes tensors in the safetensors format, in the order given.</summary>
public static class SafetensorsWriter
{
    /// <summary>Writes <paramref name="values"/> as the tensors of <paramref name="layout"/> (F32 for float, F64 for double).</summary>
    public static void Write<T>(Stream stream, IReadOnlyList<ParameterInfo> layout, ReadOnlySpan<T> values,
        IReadOnlyDictionary<string, string>? metadata = null) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(layout);
        int elementBytes = ElementBytes<T>();
        string dtype = elementBytes == 4 ? "F32" : "F64";
        byte[] header = BuildHeader(layout, dtype, elementBytes, metadata);
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);

        byte[] chunk = new byte[8 * 1024];
        foreach (ParameterInfo tensor in layout)
        {
            ReadOnlySpan<T> source = values.Slice(tensor.Offset, tensor.Length);
            int perChunk = chunk.Length / elementBytes;
            for (int start = 0; start < source.Length; start += perChunk)
            {
                int count = Math.Min(perChunk, source.Length - start);
                for (int i = 0; i < count; i++) WriteElement(chunk.AsSpan(i * elementBytes), source[start + i]);
                stream.Write(chunk, 0, count * elementBytes);
            }
        }
    }

    /// <summary>
    /// Writes a safetensors file through a temporary file in the same folder, renamed over <paramref name="path"/>
    /// once complete, so a failure never leaves a half-written file behind.
    /// </summary>
    public static void WriteFile<T>(string path, IReadOnlyList<ParameterInfo> layout, ReadOnlySpan<T> values,
        IReadOnlyDictionary<string, string>? metadata = null) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(path);
        string full = Path.GetFullPath(path);
        string temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                Write(stream, layout, values, metadata);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    private static byte[] BuildHeader(IReadOnlyList<ParameterInfo> layout, string dtype, int elementBytes,
        IReadOnlyDictionary<string, string>? metadata)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (KeyValuePair<string, string> pair in metadata) json.WriteString(pair.Key, pair.Value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (ParameterInfo tensor in layout)
            {
                json.WriteStartObject(tensor.Name);
                json.WriteString("dtype", dtype);
                json.WriteStartArray("shape");
                foreach (int dimension in tensor.Shape) json.WriteNumberValue(dimension);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += (long)tensor.Length * elementBytes;
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        // Pad with spaces to a multiple of 8 so the data that follows is aligned.
        int padded = (int)((buffer.Length + 7) / 8 * 8);
        while (buffer.Length < padded) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    private static int ElementBytes<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? 4
        : typeof(T) == typeof(double) ? 8
        : throw new NotSupportedException($"Only float and double tensors are written, not {typeof(T).Name}.");

    private static void WriteElement<T>(Span<byte> destination, T value) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) BinaryPrimitives.WriteSingleLittleEndian(destination, Unsafe.As<T, float>(ref value));
        else BinaryPrimitives.WriteDoubleLittleEndian(destination, Unsafe.As<T, double>(ref value));
    }
}
