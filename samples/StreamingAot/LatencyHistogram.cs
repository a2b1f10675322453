using System;
using System.Diagnostics;
using System.Numerics;

namespace StreamingAot;

/// <summary>
/// Counts durations in <see cref="Stopwatch"/> ticks in fixed, preallocated buckets, so recording allocates nothing and
/// works for a stream of any length: exact below 64 ticks, then 32 buckets per power of two (at most 3 % wide).
/// Percentiles report a bucket's upper end; the maximum is exact.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBits = 5, Sub = 1 << SubBits;          // 32 buckets per power of two
    private readonly long[] _counts = new long[(64 - SubBits) * Sub];
    private long _max;

    public long Count { get; private set; }

    public void Record(long ticks)
    {
        if (ticks < 0) ticks = 0;
        _counts[Bucket(ticks)]++;
        Count++;
        if (ticks > _max) _max = ticks;
    }

    /// <summary>The duration below which <paramref name="fraction"/> of the recorded ones fall, in nanoseconds.</summary>
    public double PercentileNanoseconds(double fraction)
    {
        long rank = Math.Max(1, (long)Math.Ceiling(fraction * Count)), seen = 0;
        for (int i = 0; i < _counts.Length; i++)
            if ((seen += _counts[i]) >= rank) return Nanoseconds(Math.Min(UpperEnd(i), _max));
        return Nanoseconds(_max);
    }

    public double MaxNanoseconds => Nanoseconds(_max);

    public static double Nanoseconds(long ticks) => ticks * 1e9 / Stopwatch.Frequency;

    private static int Bucket(long v)
    {
        if (v < 2 * Sub) return (int)v;
        int shift = 63 - BitOperations.LeadingZeroCount((ulong)v) - SubBits;   // ≥ 1
        return (shift + 1) * Sub + (int)(v >> shift) - Sub;
    }

    private static long UpperEnd(int bucket)
    {
        if (bucket < 2 * Sub) return bucket;
        int shift = bucket / Sub - 1;
        long mantissa = bucket % Sub + Sub;
        return ((mantissa + 1) << shift) - 1;
    }
}
