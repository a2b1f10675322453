using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.ComponentModel;
using System.Runtime.InteropServices;

namespace RnnGen;

/// <summary>
/// Decodes the compiled-in weights a generated model carries: base64 lines (separated by <c>\n</c>) of the
/// little-endian bytes of each value. Used by generated code when a model has <c>Weights = "…"</c>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class CompiledWeights
{
    /// <summary>Fills <paramref name="destination"/> from the base64 lines; throws if the data does not fill it exactly.</summary>
    public static void Decode<T>(ReadOnlySpan<byte> base64Lines, Span<T> destination) where T : unmanaged
    {
        Span<byte> bytes = MemoryMarshal.AsBytes(destination);
        int written = 0;
        while (!base64Lines.IsEmpty)
        {
            int end = base64Lines.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = end < 0 ? base64Lines : base64Lines[..end];
            base64Lines = end < 0 ? default : base64Lines[(end + 1)..];
            line = line.TrimEnd((byte)'\r');
            if (line.IsEmpty) continue;
            if (Base64.DecodeFromUtf8(line, bytes[written..], out _, out int count) != OperationStatus.Done)
                throw new InvalidOperationException("The compiled-in weights are corrupt (invalid base64 or too many values).");
            written += count;
        }
        if (written != bytes.Length)
            throw new InvalidOperationException($"The compiled-in weights hold {written} bytes, expected {bytes.Length}.");
        if (!BitConverter.IsLittleEndian) ReverseElements(destination);
    }

    private static void ReverseElements<T>(Span<T> values) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            Span<int> bits = MemoryMarshal.Cast<T, int>(values);
            for (int i = 0; i < bits.Length; i++) bits[i] = BinaryPrimitives.ReverseEndianness(bits[i]);
        }
        else
        {
            Span<long> bits = MemoryMarshal.Cast<T, long>(values);
            for (int i = 0; i < bits.Length; i++) bits[i] = BinaryPrimitives.ReverseEndianness(bits[i]);
        }
    }
}
