using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnGen;

/// <summary>
/// <see cref="Vector{T}"/> loads and stores at an element index of a span, for the generated element-wise loops (the
/// backward pass's cell derivatives): one bounds check per vector instead of one per element.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class Lanes
{
    /// <summary>The vector of <paramref name="span"/>[<paramref name="index"/> ..].</summary>
    /// <exception cref="ArgumentOutOfRangeException">The vector does not fit in the span from <paramref name="index"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Load<T>(ReadOnlySpan<T> span, int index) where T : unmanaged
    {
        Fits<T>(span.Length, index);
        return Vector.LoadUnsafe(ref MemoryMarshal.GetReference(span), (nuint)index);
    }

    /// <inheritdoc cref="Load{T}(ReadOnlySpan{T}, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Load<T>(Span<T> span, int index) where T : unmanaged
    {
        Fits<T>(span.Length, index);
        return Vector.LoadUnsafe(ref MemoryMarshal.GetReference(span), (nuint)index);
    }

    /// <summary>Stores <paramref name="value"/> into <paramref name="span"/>[<paramref name="index"/> ..].</summary>
    /// <exception cref="ArgumentOutOfRangeException">The vector does not fit in the span from <paramref name="index"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<T>(Span<T> span, int index, Vector<T> value) where T : unmanaged
    {
        Fits<T>(span.Length, index);
        value.StoreUnsafe(ref MemoryMarshal.GetReference(span), (nuint)index);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Fits<T>(int length, int index) where T : unmanaged
    {
        if (index < 0 || index > length - Vector<T>.Count) Throw(length, index, Vector<T>.Count);
    }

    private static void Throw(int length, int index, int count) =>
        throw new ArgumentOutOfRangeException(nameof(index), index, $"A vector of {count} at {index} does not fit in a span of {length}.");
}
