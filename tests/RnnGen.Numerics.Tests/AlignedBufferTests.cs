using System;
using System.Runtime;
using System.Runtime.CompilerServices;
using Xunit;

namespace RnnGen.Numerics.Tests;

/// <summary>The buffers the generated kernels read packed weights and scratch from start a cache line, and stay there.</summary>
public class AlignedBufferTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(329)]
    [InlineData(216_080)]
    public void FloatBufferStartsACacheLineAndIsZeroed(int length) => AssertAlignedAndZeroed<float>(length);

    [Theory]
    [InlineData(1)]
    [InlineData(9)]
    [InlineData(4_385)]
    public void DoubleBufferStartsACacheLineAndIsZeroed(int length) => AssertAlignedAndZeroed<double>(length);

    [Fact]
    public void AlignmentSurvivesACompactingCollection()
    {
        var buffers = new AlignedBuffer<float>[64];
        for (int i = 0; i < buffers.Length; i++)
        {
            _ = new byte[1000 + 8 * i]; // garbage between the buffers, so a compaction would move them if it could
            buffers[i] = new AlignedBuffer<float>(100 + i);
            buffers[i].Span.Fill(i);
        }
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        for (int i = 0; i < buffers.Length; i++)
        {
            Assert.Equal(0, AddressOf(ref buffers[i].Data) % AlignedBuffer<float>.Alignment);
            Assert.All(buffers[i].Span.ToArray(), v => Assert.Equal(i, v));
        }
    }

    [Fact]
    public void NegativeLengthIsRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>("length", () => new AlignedBuffer<float>(-1));

    private static void AssertAlignedAndZeroed<T>(int length) where T : unmanaged, IEquatable<T>
    {
        for (int attempt = 0; attempt < 16; attempt++) // several allocations land at several addresses
        {
            _ = new byte[8 * attempt + 8];
            var buffer = new AlignedBuffer<T>(length);
            Assert.Equal(length, buffer.Length);
            Assert.Equal(length, buffer.Span.Length);
            Assert.True(Unsafe.AreSame(ref buffer.Data, ref System.Runtime.InteropServices.MemoryMarshal.GetReference(buffer.Span)));
            Assert.Equal(0, AddressOf(ref buffer.Data) % AlignedBuffer<T>.Alignment);
            Assert.All(buffer.Span.ToArray(), v => Assert.Equal(default, v));
        }
    }

    private static long AddressOf<T>(ref T value) => Unsafe.ByteOffset(ref Unsafe.NullRef<T>(), ref value); // the address, in safe code
}
