using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
#if !NET9_0_OR_GREATER
using System.Runtime.Intrinsics.X86;
#endif

namespace RnnGen;

/// <summary>
/// The vector operations the generated packed kernels are written in: fused multiply-add, sigmoid and tanh on whole
/// <see cref="Vector256{T}"/> registers, and loads and stores of a partial last chunk. Every vector method is small and
/// inlined into the generated kernel; the span overloads of tanh serve the training forward's record.
/// </summary>
/// <remarks>
/// Accuracy (measured by <c>SimdActivationTests</c> against <see cref="System.Math"/> in double over 2·10⁶ points in
/// [−20, 20] and the far tails): float sigmoid and tanh within 2.5e-7 relative (about 2 ulp; MathF is 1 ulp), double
/// within 5e-16 relative. e^x is clamped at the smallest normal number, so σ(x) for x below −87 (float) or −708 (double)
/// returns about 1.6e-38 (3e-308) instead of a subnormal value. What a NaN input gives is not specified. Both come from e^x = 2^n · (1 + p(r)) with x = n·ln 2 + r, |r| ≤ ln 2 / 2, and
/// p the Taylor polynomial of e^r − 1 (degree 7 in float, evaluated by Estrin's scheme; 13 in double, by Horner's:
/// truncation below 2e-8 and 2e-17 relative).
/// Only non-positive arguments are ever exponentiated, so nothing overflows.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class Simd
{
    // ── Fused multiply-add: a · b + c with one rounding ──

    /// <summary>a · b + c.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c)
#if NET9_0_OR_GREATER
        => Vector256.FusedMultiplyAdd(a, b, c);
#else
        => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;
#endif

    /// <summary>a · b + c.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> MultiplyAdd(Vector256<double> a, Vector256<double> b, Vector256<double> c)
#if NET9_0_OR_GREATER
        => Vector256.FusedMultiplyAdd(a, b, c);
#else
        => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;
#endif

    // ── Constants of the float activations ──
    // Read from this table, one broadcast load per use, instead of written as Vector256.Create(literal): the JIT shares a
    // literal among all the activations inlined into one cell update and keeps every shared constant in a register, which
    // left too few of AVX2's 16 for the values in flight and spilled them to the stack on the dependency chain (about 50
    // stack accesses in an exact LSTM cell; none with the table). The generated cells store each activated gate before
    // computing the next, so the JIT cannot share the table's loads across gates either. (docs/performance.md: the speed.)

    private static readonly float[] s_constants =
    [
        1f, -1f, 2f, -0f,
        BitConverter.Int32BitsToSingle(127 - 0x4B400000), // added to the bits of n + 1.5·2^23, then shifted left by 23: 2^n
        RoundingF, MinimumF, Log2E, -Ln2HighF, -Ln2LowF,
        1f / 2, 1f / 6, 1f / 24, 1f / 120, 1f / 720, 1f / 5040,
        -Log2E, -FastClamp, FastClamp, Exp2C0, Exp2C1, Exp2C2, Exp2C3, Exp2C4,
    ];

    /// <summary>The entries of <see cref="s_constants"/>, in order.</summary>
    private enum Entry
    {
        One, MinusOne, Two, SignBit, ExponentBias,
        Rounding, Minimum, Log2E, MinusLn2High, MinusLn2Low,
        OverFactorial2, OverFactorial3, OverFactorial4, OverFactorial5, OverFactorial6, OverFactorial7, // 1/k! for the exact e^r − 1
        MinusLog2E, MinusFastClamp, FastClamp, Exp2C0, Exp2C1, Exp2C2, Exp2C3, Exp2C4, // the fast 2^y
    }

    /// <summary>An entry of <see cref="s_constants"/> in every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Constant(Entry entry) =>
        Vector256.Create(Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(s_constants), (int)entry));

    // ── Activations ──

    /// <summary>
    /// 1 / (1 + e^−x): e^−|x| / (1 + e^−|x|) for x &lt; 0, so tiny results keep their precision, and 1 / (1 + e^−|x|)
    /// otherwise; the numerator is chosen before the one division.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x)
    {
        Vector256<float> one = Constant(Entry.One);
        var (scale, m) = ExpParts(x | Constant(Entry.SignBit)); // e^−|x| = 2^n · (1 + m): −|x| has the sign bit set
        Vector256<float> numerator = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), MultiplyAdd(scale, m, scale), one);
        return numerator / MultiplyAdd(scale, m, scale + one); // 1 + e^−|x| in one rounding, beside the numerator
    }

    /// <summary>1 / (1 + e^−x), as e^−|x| / (1 + e^−|x|) for x &lt; 0 so tiny results keep their precision.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Sigmoid(Vector256<double> x)
    {
        Vector256<double> one = Constant(DoubleEntry.One);
        Vector256<double> e = Exp(x | Constant(DoubleEntry.SignBit)); // −|x|
        Vector256<double> s = one / (one + e);
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<double>.Zero), e * s, s);
    }

    /// <summary>
    /// tanh x = (1 − e) / (1 + e) with e = e^(−2|x|) = 2^n · (1 + m), each as one fused multiply-add of m, and the sign
    /// of x. Near 0, n = 0 and the numerator is exactly −m: no cancellation.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        Vector256<float> sign = Constant(Entry.SignBit), one = Constant(Entry.One);
        var (scale, m) = ExpParts(Constant(Entry.Two) * (x | sign));
        Vector256<float> t = MultiplyAdd(-scale, m, one - scale) / MultiplyAdd(scale, m, scale + one);
        return t | (x & sign);
    }

    /// <summary>tanh x = −m / (2 + m) with m = e^(−2|x|) − 1, and the sign of x (no cancellation near 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Tanh(Vector256<double> x)
    {
        Vector256<double> sign = Constant(DoubleEntry.SignBit), two = Constant(DoubleEntry.Two);
        Vector256<double> m = ExpMinusOne(two * (x | sign)); // e^(−2|x|) − 1
        Vector256<double> t = -m / (two + m);
        return t | (x & sign);
    }

    /// <summary>
    /// destination[i] = tanh(x[i]) with <see cref="Tanh(Vector256{float})"/>, the function the packed LSTM cells apply
    /// to c' (the training forward records tanh(c') with it, so the record matches h' = σ(o) ⊙ tanh(c') exactly).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <paramref name="x"/>.</exception>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> destination)
    {
        if (destination.Length < x.Length) throw new ArgumentException($"destination holds {destination.Length} values; x has {x.Length}.", nameof(destination));
        ref float source = ref MemoryMarshal.GetReference(x);
        ref float target = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        for (; i + Vector256<float>.Count <= x.Length; i += Vector256<float>.Count)
            Tanh(Vector256.LoadUnsafe(ref source, (nuint)i)).StoreUnsafe(ref target, (nuint)i);
        if (i < x.Length)
            StorePartial(Tanh(LoadPartial(ref Unsafe.Add(ref source, i), x.Length - i)), ref Unsafe.Add(ref target, i), x.Length - i);
    }

    /// <summary>destination[i] = tanh(x[i]) with <see cref="Tanh(Vector256{double})"/> (see the float overload).</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <paramref name="x"/>.</exception>
    public static void Tanh(ReadOnlySpan<double> x, Span<double> destination)
    {
        if (destination.Length < x.Length) throw new ArgumentException($"destination holds {destination.Length} values; x has {x.Length}.", nameof(destination));
        ref double source = ref MemoryMarshal.GetReference(x);
        ref double target = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        for (; i + Vector256<double>.Count <= x.Length; i += Vector256<double>.Count)
            Tanh(Vector256.LoadUnsafe(ref source, (nuint)i)).StoreUnsafe(ref target, (nuint)i);
        if (i < x.Length)
            StorePartial(Tanh(LoadPartial(ref Unsafe.Add(ref source, i), x.Length - i)), ref Unsafe.Add(ref target, i), x.Length - i);
    }

    // ── Fast activations (opt-in with [RecurrentModel(FastActivations = true)], float models only) ──
    // σ(x) = 1 / (1 + 2^y) with y = −x·log₂e clamped to ±125.5: 2^y = 2^n · 2^f, n = round(y), |f| ≤ ½, and 2^f a degree-4
    // polynomial fitted for relative error (2.7e-6 in float); 1 / d from the reciprocal estimate refined by one Newton
    // step. No division, no sign select. tanh x = 2σ(2x) − 1. Errors (SimdActivationTests, absolute, against double):
    // sigmoid ≤ 1e-6, tanh ≤ 2e-6.

    private const float FastClamp = 87f;
    private const float Exp2C0 = 0.99999928f;
    private const float Exp2C1 = 0.69312179f;
    private const float Exp2C2 = 0.24024746f;
    private const float Exp2C3 = 0.055917863f;
    private const float Exp2C4 = 0.0095700817f;

    /// <summary>σ(x) to about 1e-6 absolute, without a division (see the fast activations' notes above).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> FastSigmoid(Vector256<float> x)
    {
        Vector256<float> rounding = Constant(Entry.Rounding), minusLog2E = Constant(Entry.MinusLog2E);
        x = Clamp(x, Constant(Entry.MinusFastClamp), Constant(Entry.FastClamp));
        Vector256<float> shifted = MultiplyAdd(x, minusLog2E, rounding);
        Vector256<float> n = shifted - rounding;
        Vector256<float> f = MultiplyAdd(x, minusLog2E, -n);
        Vector256<float> p = MultiplyAdd(Constant(Entry.Exp2C4), f, Constant(Entry.Exp2C3));
        p = MultiplyAdd(p, f, Constant(Entry.Exp2C2));
        p = MultiplyAdd(p, f, Constant(Entry.Exp2C1));
        p = MultiplyAdd(p, f, Constant(Entry.Exp2C0));
        var scale = Vector256.ShiftLeft(shifted.AsInt32() + Constant(Entry.ExponentBias).AsInt32(), 23).AsSingle();
        Vector256<float> d = MultiplyAdd(p, scale, Constant(Entry.One)); // 1 + 2^y
        return Reciprocal(d);
    }

    /// <summary>tanh x = 2σ(2x) − 1 to about 2e-6 absolute, without a division.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> FastTanh(Vector256<float> x) =>
        MultiplyAdd(Constant(Entry.Two), FastSigmoid(x + x), Constant(Entry.MinusOne));

    /// <summary>1 / d for d ≥ 1: the 12-bit estimate and one Newton step r(2 − d·r) (about 24 bits), or a division without AVX.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Reciprocal(Vector256<float> d)
    {
        if (!System.Runtime.Intrinsics.X86.Avx.IsSupported) return Constant(Entry.One) / d;
        Vector256<float> r = System.Runtime.Intrinsics.X86.Avx.Reciprocal(d);
        return MultiplyAdd(-d, r, Constant(Entry.Two)) * r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Clamp(Vector256<float> x, Vector256<float> low, Vector256<float> high) =>
#if NET9_0_OR_GREATER
        Vector256.MinNative(Vector256.MaxNative(x, low), high);
#else
        Vector256.Min(Vector256.Max(x, low), high);
#endif

    /// <summary>max(0, x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Relu(Vector256<double> x) => Vector256.Max(x, Vector256<double>.Zero);

    /// <summary>max(0, x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Relu(Vector256<float> x) => Vector256.Max(x, Vector256<float>.Zero);

    // ── Partial chunks: the last hidden units of a layer whose size is not a multiple of the lane count ──

    /// <summary>The first <paramref name="count"/> values at <paramref name="source"/>, zeros in the other lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LoadPartial(ref float source, int count)
    {
        Vector256<float> v = default;
        Unsafe.CopyBlockUnaligned(ref Unsafe.As<Vector256<float>, byte>(ref v), ref Unsafe.As<float, byte>(ref source), (uint)(count * sizeof(float)));
        return v;
    }

    /// <summary>Writes the first <paramref name="count"/> lanes of <paramref name="value"/> to <paramref name="destination"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StorePartial(Vector256<float> value, ref float destination, int count) =>
        Unsafe.CopyBlockUnaligned(ref Unsafe.As<float, byte>(ref destination), ref Unsafe.As<Vector256<float>, byte>(ref value), (uint)(count * sizeof(float)));

    /// <summary>The first <paramref name="count"/> values at <paramref name="source"/>, zeros in the other lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> LoadPartial(ref double source, int count)
    {
        Vector256<double> v = default;
        Unsafe.CopyBlockUnaligned(ref Unsafe.As<Vector256<double>, byte>(ref v), ref Unsafe.As<double, byte>(ref source), (uint)(count * sizeof(double)));
        return v;
    }

    /// <summary>Writes the first <paramref name="count"/> lanes of <paramref name="value"/> to <paramref name="destination"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StorePartial(Vector256<double> value, ref double destination, int count) =>
        Unsafe.CopyBlockUnaligned(ref Unsafe.As<double, byte>(ref destination), ref Unsafe.As<Vector256<double>, byte>(ref value), (uint)(count * sizeof(double)));

    // ── e^x and e^x − 1 for x ≤ 0 ──
    // x = n·ln 2 + r with n = round(x / ln 2), |r| ≤ ln 2 / 2; ln 2 split in a short high part (n·hi is exact) and a low part.
    // n is rounded by adding 1.5·2^23 (2^52 in double): its low mantissa bits then hold n, which also builds 2^n.

    private const float Log2E = 1.44269504f;
    private const float Ln2HighF = 0.693359375f;
    private const float Ln2LowF = -2.12194440e-4f;
    private const float RoundingF = 12582912f; // 1.5 · 2^23
    private const float MinimumF = -87f;       // e^-87 ≈ 1.6e-38, still a normal float

    private const double Log2ED = 1.4426950408889634;
    private const double Ln2HighD = 6.93147180369123816490e-01;
    private const double Ln2LowD = 1.90821492927058770002e-10;
    private const double RoundingD = 6755399441055744d; // 1.5 · 2^52
    private const double MinimumD = -708d;

    // The double functions' constants, read from a table for the reason the float ones are (see s_constants).
    private static readonly double[] s_doubleConstants =
    [
        1d, 2d, -0d,
        BitConverter.Int64BitsToDouble(1023L - 0x4338000000000000L), // added to the bits of n + 1.5·2^52, then shifted left by 52: 2^n
        RoundingD, MinimumD, Log2ED, -Ln2HighD, -Ln2LowD,
        1d / 6227020800, 1d / 479001600, 1d / 39916800, 1d / 3628800, 1d / 362880, 1d / 40320,
        1d / 5040, 1d / 720, 1d / 120, 1d / 24, 1d / 6, 1d / 2,
    ];

    /// <summary>The entries of <see cref="s_doubleConstants"/>, in order.</summary>
    private enum DoubleEntry
    {
        One, Two, SignBit, ExponentBias, Rounding, Minimum, Log2E, MinusLn2High, MinusLn2Low,
        OverFactorial13, OverFactorial12, OverFactorial11, OverFactorial10, OverFactorial9, OverFactorial8, OverFactorial7,
        OverFactorial6, OverFactorial5, OverFactorial4, OverFactorial3, OverFactorial2, // 1/k!
    }

    /// <summary>An entry of <see cref="s_doubleConstants"/> in every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Constant(DoubleEntry entry) =>
        Vector256.Create(Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(s_doubleConstants), (int)entry));

    // max(x, floor) as one instruction: without the NaN and −0 handling that Vector.Max has since .NET 9 (not needed here).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ClampBelow(Vector256<float> x, Vector256<float> floor) =>
#if NET9_0_OR_GREATER
        Vector256.MaxNative(x, floor);
#else
        Vector256.Max(x, floor);
#endif

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> ClampBelow(Vector256<double> x, Vector256<double> floor) =>
#if NET9_0_OR_GREATER
        Vector256.MaxNative(x, floor);
#else
        Vector256.Max(x, floor);
#endif

    /// <summary>e^x for x ≤ 0 as 2^n and m = e^r − 1, so the caller forms e^x (and 1 ± e^x) with one fused multiply-add each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> Scale, Vector256<float> M) ExpParts(Vector256<float> x)
    {
        Vector256<float> rounding = Constant(Entry.Rounding);
        x = ClampBelow(x, Constant(Entry.Minimum));
        Vector256<float> shifted = MultiplyAdd(x, Constant(Entry.Log2E), rounding);
        Vector256<float> n = shifted - rounding;
        Vector256<float> r = MultiplyAdd(n, Constant(Entry.MinusLn2Low), MultiplyAdd(n, Constant(Entry.MinusLn2High), x)); // x − n·hi (exact), then − n·lo
        var scale = Vector256.ShiftLeft(shifted.AsInt32() + Constant(Entry.ExponentBias).AsInt32(), 23).AsSingle();
        // e^r − 1 = r + r²·q(r), q(r) = 1/2! + r/3! + … + r⁵/7!, by Estrin's scheme: three pairs c + c'·r, then r² and r⁴
        // (a dependency chain of four operations after r², where Horner's has six)
        Vector256<float> r2 = r * r;
        Vector256<float> low = MultiplyAdd(Constant(Entry.OverFactorial3), r, Constant(Entry.OverFactorial2));
        Vector256<float> middle = MultiplyAdd(Constant(Entry.OverFactorial5), r, Constant(Entry.OverFactorial4));
        Vector256<float> high = MultiplyAdd(Constant(Entry.OverFactorial7), r, Constant(Entry.OverFactorial6));
        Vector256<float> q = MultiplyAdd(high, r2 * r2, MultiplyAdd(middle, r2, low));
        return (scale, MultiplyAdd(q, r2, r));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> ExpCore(Vector256<double> x, bool minusOne)
    {
        Vector256<double> rounding = Constant(DoubleEntry.Rounding);
        x = ClampBelow(x, Constant(DoubleEntry.Minimum));
        Vector256<double> shifted = MultiplyAdd(x, Constant(DoubleEntry.Log2E), rounding);
        Vector256<double> n = shifted - rounding;
        Vector256<double> r = MultiplyAdd(n, Constant(DoubleEntry.MinusLn2Low), MultiplyAdd(n, Constant(DoubleEntry.MinusLn2High), x)); // x − n·hi (exact), then − n·lo
        var scale = Vector256.ShiftLeft(shifted.AsInt64() + Constant(DoubleEntry.ExponentBias).AsInt64(), 52).AsDouble();
        // e^r − 1 = r + r²/2! + … + r¹³/13!
        Vector256<double> p = Constant(DoubleEntry.OverFactorial13);
        p = MultiplyAdd(p, r, Constant(DoubleEntry.OverFactorial12));
        p = MultiplyAdd(p, r, Constant(DoubleEntry.OverFactorial11));
        p = MultiplyAdd(p, r, Constant(DoubleEntry.OverFactorial10));
        p = MultiplyAdd(p, r, Constant(DoubleEntry.OverFactorial9));
        p = MultiplyAdd(p, r, Constant(DoubleEntry.OverFactorial8));
        p = MultiplyAdd(p, r, Constant(DoubleEntry.OverFactorial7));
        p = MultiplyAdd(p, r, Constant(DoubleEntry.OverFactorial6));
        p = MultiplyAdd(p, r, Constant(DoubleEntry.OverFactorial5));
        p = MultiplyAdd(p, r, Constant(DoubleEntry.OverFactorial4));
        p = MultiplyAdd(p, r, Constant(DoubleEntry.OverFactorial3));
        p = MultiplyAdd(p, r, Constant(DoubleEntry.OverFactorial2));
        var m = MultiplyAdd(p * r, r, r); // e^r − 1
        // e^x = 2^n · (1 + m); e^x − 1 = 2^n · m + (2^n − 1), exact in relative terms near 0 (n = 0)
        return minusOne ? MultiplyAdd(scale, m, scale - Constant(DoubleEntry.One)) : MultiplyAdd(scale, m, scale);
    }

    /// <summary>e^x for x ≤ 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<double> Exp(Vector256<double> x)
    {
        return ExpCore(x, minusOne: false);
    }

    /// <summary>e^x − 1 for x ≤ 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<double> ExpMinusOne(Vector256<double> x)
    {
        return ExpCore(x, minusOne: true);
    }
}
