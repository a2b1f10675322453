using System;
using System.ComponentModel;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnGen;

/// <summary>
/// <see cref="Vector{T}"/> loads and stores at an element index of a span, for the generated element-wise loops (the
/// backward pass's cell derivatives). <b>Not bounds-checked</b> (only a debug assertion): the generated loops keep
/// <c>index + Vector&lt;T&gt;.Count ≤ span.Length</c> by construction, and a check here made the JIT keep every vector of
/// the loop on the stack around the throw (a third of the loop's time, measured).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class Lanes
{
    /// <summary>The vector of <paramref name="span"/>[<paramref name="index"/> ..]; the caller keeps it inside the span.</summary>
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

    /// <summary>Stores <paramref name="value"/> into <paramref name="span"/>[<paramref name="index"/> ..]; the caller keeps it inside the span.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<T>(Span<T> span, int index, Vector<T> value) where T : unmanaged
    {
        Fits<T>(span.Length, index);
        value.StoreUnsafe(ref MemoryMarshal.GetReference(span), (nuint)index);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Fits<T>(int length, int index) where T : unmanaged =>
        Debug.Assert(index >= 0 && index <= length - Vector<T>.Count, $"A vector at {index} does not fit in a span of {length}.");
}
