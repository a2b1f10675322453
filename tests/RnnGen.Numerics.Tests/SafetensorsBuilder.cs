using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace RnnGen.Numerics.Tests;

/// <summary>
/// Assembles safetensors files by hand, well-formed or not: 8-byte little-endian header length, JSON header, data.
/// Entries are written in order; their data_offsets run on contiguously unless an entry sets its own.
/// </summary>
internal sealed class SafetensorsBuilder
{
    internal sealed class Entry(string name, string dtype, int[] shape, byte[] bytes)
    {
        public string Name { get; set; } = name;
        public string DType { get; set; } = dtype;
        public int[] Shape { get; set; } = shape;
        public byte[] Bytes { get; set; } = bytes;

        /// <summary>Explicit [begin, end]; <see langword="null"/>: right after the previous entry, spanning <see cref="Bytes"/>.</summary>
        public long[]? Offsets { get; set; }
    }

    public List<Entry> Entries { get; } = [];

    /// <summary>Replaces the generated JSON header (not padded).</summary>
    public byte[]? RawHeader { get; set; }

    /// <summary>Replaces the header length written in the 8-byte prefix.</summary>
    public ulong? HeaderLength { get; set; }

    /// <summary>Bytes appended after the tensors' data.</summary>
    public byte[] Trailing { get; set; } = [];

    public Entry this[string name] => Entries.Single(e => e.Name == name);

    /// <summary>A well-formed F32 file of <paramref name="values"/> laid out as <paramref name="layout"/>.</summary>
    public static SafetensorsBuilder FromLayout(IReadOnlyList<ParameterInfo> layout, float[] values)
    {
        var builder = new SafetensorsBuilder();
        foreach (ParameterInfo p in layout) builder.AddF32(p.Name, p.Shape.ToArray(), values.AsSpan(p.Offset, p.Length));
        return builder;
    }

    public SafetensorsBuilder AddF32(string name, int[] shape, ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        Entries.Add(new Entry(name, "F32", shape, bytes));
        return this;
    }

    public SafetensorsBuilder AddRaw(string name, string dtype, int[] shape, byte[] bytes)
    {
        Entries.Add(new Entry(name, dtype, shape, bytes));
        return this;
    }

    public SafetensorsBuilder Remove(string name)
    {
        Entries.Remove(this[name]);
        return this;
    }

    /// <summary>The JSON header as the builder would write it (before padding).</summary>
    public byte[] Header()
    {
        if (RawHeader is not null) return RawHeader;
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            long offset = 0;
            foreach (Entry e in Entries)
            {
                long[] offsets = e.Offsets ?? [offset, offset + e.Bytes.Length];
                json.WriteStartObject(e.Name);
                json.WriteString("dtype", e.DType);
                json.WriteStartArray("shape");
                foreach (int d in e.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offsets[0]);
                json.WriteNumberValue(offsets[1]);
                json.WriteEndArray();
                json.WriteEndObject();
                offset = offsets[1];
            }
            json.WriteEndObject();
        }
        while (buffer.Length % 8 != 0) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    public byte[] Build()
    {
        byte[] header = Header();
        var file = new MemoryStream();
        var prefix = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, HeaderLength ?? (ulong)header.Length);
        file.Write(prefix);
        file.Write(header);
        foreach (Entry e in Entries) file.Write(e.Bytes);
        file.Write(Trailing);
        return file.ToArray();
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
