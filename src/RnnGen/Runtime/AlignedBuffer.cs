using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnGen;

/// <summary>
/// A zeroed buffer whose first element starts a 64-byte cache line: what generated models keep their parameters, packed
/// weights, gradients, scratch and training records in (and <see cref="Adam{T}"/> its moments). A .NET array's elements
/// are only 8-byte aligned, and from an arbitrary array half the 32-byte vector loads of a row can straddle two cache
/// lines; which loads do depends on where the array happens to land, so the same model measured up to 20 % apart from one
/// instance to the next (docs/performance.md). The array lives on the pinned object heap, where the garbage collector
/// never moves it, so the alignment found at allocation holds for its lifetime.
/// </summary>
/// <typeparam name="T">The element type (<see cref="float"/> or <see cref="double"/> in generated models).</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class AlignedBuffer<T> where T : unmanaged
{
    /// <summary>The boundary, in bytes, the first element starts on.</summary>
    public const int Alignment = 64;

    private readonly T[] _array;
    private readonly int _start;

    /// <summary>Allocates <paramref name="length"/> zeroed elements starting on an <see cref="Alignment"/>-byte boundary.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    public AlignedBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        int slack = Alignment / Unsafe.SizeOf<T>();
        _array = GC.AllocateArray<T>(length + slack, pinned: true);
        GCHandle handle = GCHandle.Alloc(_array, GCHandleType.Pinned); // already pinned for good; the handle only reads the address
        nint address = handle.AddrOfPinnedObject();
        handle.Free();
        int misalignment = (int)(address & (Alignment - 1));
        _start = (Alignment - misalignment) % Alignment / Unsafe.SizeOf<T>();
        Length = length;
    }

    /// <summary>The number of usable elements.</summary>
    public int Length { get; }

    /// <summary>The usable elements.</summary>
    public Span<T> Span => new(_array, _start, Length);

    /// <summary>A reference to the first usable element (for kernels that index from it).</summary>
    public ref T Data => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_array), _start);
}
