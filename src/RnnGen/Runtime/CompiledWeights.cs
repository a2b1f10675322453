using System;
using System.Buffers.Binary;
using System.ComponentModel;
using System.Runtime.InteropServices;

namespace RnnGen;

/// <summary>
/// Unpacks the compiled-in weights a generated model carries (<c>Weights = "…"</c>): the little-endian bytes of each
/// value, two per character of a string constant, character k holding bytes 2k (low byte) and 2k + 1 (high byte).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class CompiledWeights
{
    /// <summary>Copies the packed values into <paramref name="destination"/>, which they must fill exactly.</summary>
    public static void Unpack<T>(string packed, Span<T> destination) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(packed);
        Span<byte> bytes = MemoryMarshal.AsBytes(destination);
        if (packed.Length * 2 != bytes.Length)
            throw new InvalidOperationException($"The compiled-in weights hold {packed.Length * 2} bytes, expected {bytes.Length}.");
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(packed.AsSpan()).CopyTo(bytes);
            return;
        }
        for (int i = 0; i < packed.Length; i++)
        {
            bytes[2 * i] = (byte)packed[i];
            bytes[2 * i + 1] = (byte)(packed[i] >> 8);
        }
        if (typeof(T) == typeof(float))
            foreach (ref int bits in MemoryMarshal.Cast<T, int>(destination)) bits = BinaryPrimitives.ReverseEndianness(bits);
        else
            foreach (ref long bits in MemoryMarshal.Cast<T, long>(destination)) bits = BinaryPrimitives.ReverseEndianness(bits);
    }
}
