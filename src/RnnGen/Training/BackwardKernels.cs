using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnGen;

/// <summary>
/// The products of a recurrent layer's backward pass, called by the generated code (W row-major
/// <c>[rows, columns]</c>, PyTorch's layout):
/// <list type="bullet">
/// <item><see cref="AddTransposedProduct{T}"/>, every step: dh_(t−1) += W_hhᵀ dA_t, the gradient that flows to the
/// previous step;</item>
/// <item><see cref="AddTransposedProducts{T}"/>, once per window: dx_t += W_ihᵀ dA_t for all steps, the gradient that
/// flows to the layer below;</item>
/// <item><see cref="AddOuterProducts{T}"/>, once per window: dW += Σ_t dA_t x_tᵀ over the recorded steps, so each
/// gradient row is read and written once per window instead of once per step;</item>
/// <item><see cref="AddStepSums{T}"/>, once per window: db += Σ_t dA_t.</item>
/// </list>
/// Each keeps a block of outputs in registers and streams the other operand, with enough independent FMA chains to
/// hide the FMA latency; sums are split into chains, so the bits differ from a plain loop within rounding.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static partial class BackwardKernels
{
    /// <summary>dx[c] += Σ_r dA[r] · W[r, c] for W of <paramref name="rows"/> × <paramref name="columns"/>.</summary>
    /// <exception cref="ArgumentException">A span is shorter than the sizes say.</exception>
    public static void AddTransposedProduct<T>(ReadOnlySpan<T> weights, int rows, int columns, ReadOnlySpan<T> dA, Span<T> dx)
        where T : unmanaged, INumber<T>
    {
        Check(weights.Length, (long)rows * columns, nameof(weights));
        Check(dA.Length, rows, nameof(dA));
        Check(dx.Length, columns, nameof(dx));
        AddTransposedColumns(ref MemoryMarshal.GetReference(weights), rows, columns, ref MemoryMarshal.GetReference(dA), ref MemoryMarshal.GetReference(dx), 0);
    }

    /// <summary>
    /// dx_t[c] += Σ_r dA_t[r] · W[r, c] for every step t &lt; <paramref name="steps"/>: <paramref name="dA"/> is
    /// <c>[steps, rows]</c> and <paramref name="dx"/> <c>[steps, columns]</c>, row-major. The same as
    /// <see cref="AddTransposedProduct{T}"/> per step, but six steps share each weight vector loaded (twelve FMA chains
    /// of two vectors × six steps), so W streams from the cache a sixth as often.
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than the sizes say.</exception>
    public static void AddTransposedProducts<T>(ReadOnlySpan<T> weights, int rows, int columns, ReadOnlySpan<T> dA, Span<T> dx, int steps)
        where T : unmanaged, INumber<T>
    {
        if (steps <= 0) return;
        Check(weights.Length, (long)rows * columns, nameof(weights));
        Check(dA.Length, (long)steps * rows, nameof(dA));
        Check(dx.Length, (long)steps * columns, nameof(dx));
        ref T w = ref MemoryMarshal.GetReference(weights);
        ref T a = ref MemoryMarshal.GetReference(dA);
        ref T y = ref MemoryMarshal.GetReference(dx);
        int lanes = Vector<T>.Count;
        int t = 0;
        for (; t + 6 <= steps; t += 6)
        {
            ref T a0 = ref Unsafe.Add(ref a, t * rows);
            ref T y0 = ref Unsafe.Add(ref y, t * columns);
            int c = 0;
            for (; c + 2 * lanes <= columns; c += 2 * lanes)
                AddTransposedSixSteps(ref Unsafe.Add(ref w, c), rows, columns, ref a0, ref Unsafe.Add(ref y0, c));
            for (int s = 0; s < 6; s++)
                AddTransposedColumns(ref w, rows, columns, ref Unsafe.Add(ref a0, s * rows), ref Unsafe.Add(ref y0, s * columns), c);
        }
        for (; t < steps; t++)
            AddTransposedColumns(ref w, rows, columns, ref Unsafe.Add(ref a, t * rows), ref Unsafe.Add(ref y, t * columns), 0);
    }

    /// <summary>Two vectors of columns (from <paramref name="w"/> and <paramref name="y"/>) for six consecutive steps.</summary>
    private static void AddTransposedSixSteps<T>(ref T w, int rows, int columns, ref T a, ref T y)
        where T : unmanaged, INumber<T>
    {
        int lanes = Vector<T>.Count;
        ref T y1 = ref Unsafe.Add(ref y, columns);
        ref T y2 = ref Unsafe.Add(ref y1, columns);
        ref T y3 = ref Unsafe.Add(ref y2, columns);
        ref T y4 = ref Unsafe.Add(ref y3, columns);
        ref T y5 = ref Unsafe.Add(ref y4, columns);
        Vector<T> s00 = Vector.LoadUnsafe(ref y), s01 = Vector.LoadUnsafe(ref y, (nuint)lanes);
        Vector<T> s10 = Vector.LoadUnsafe(ref y1), s11 = Vector.LoadUnsafe(ref y1, (nuint)lanes);
        Vector<T> s20 = Vector.LoadUnsafe(ref y2), s21 = Vector.LoadUnsafe(ref y2, (nuint)lanes);
        Vector<T> s30 = Vector.LoadUnsafe(ref y3), s31 = Vector.LoadUnsafe(ref y3, (nuint)lanes);
        Vector<T> s40 = Vector.LoadUnsafe(ref y4), s41 = Vector.LoadUnsafe(ref y4, (nuint)lanes);
        Vector<T> s50 = Vector.LoadUnsafe(ref y5), s51 = Vector.LoadUnsafe(ref y5, (nuint)lanes);
        ref T row = ref w;
        ref T gradient = ref a;
        for (int r = 0; r < rows; r++)
        {
            Vector<T> w0 = Vector.LoadUnsafe(ref row), w1 = Vector.LoadUnsafe(ref row, (nuint)lanes);
            var g = new Vector<T>(gradient);
            s00 = MultiplyAdd(g, w0, s00);
            s01 = MultiplyAdd(g, w1, s01);
            g = new Vector<T>(Unsafe.Add(ref gradient, rows));
            s10 = MultiplyAdd(g, w0, s10);
            s11 = MultiplyAdd(g, w1, s11);
            g = new Vector<T>(Unsafe.Add(ref gradient, 2 * rows));
            s20 = MultiplyAdd(g, w0, s20);
            s21 = MultiplyAdd(g, w1, s21);
            g = new Vector<T>(Unsafe.Add(ref gradient, 3 * rows));
            s30 = MultiplyAdd(g, w0, s30);
            s31 = MultiplyAdd(g, w1, s31);
            g = new Vector<T>(Unsafe.Add(ref gradient, 4 * rows));
            s40 = MultiplyAdd(g, w0, s40);
            s41 = MultiplyAdd(g, w1, s41);
            g = new Vector<T>(Unsafe.Add(ref gradient, 5 * rows));
            s50 = MultiplyAdd(g, w0, s50);
            s51 = MultiplyAdd(g, w1, s51);
            row = ref Unsafe.Add(ref row, columns);
            gradient = ref Unsafe.Add(ref gradient, 1);
        }
        s00.StoreUnsafe(ref y);
        s01.StoreUnsafe(ref y, (nuint)lanes);
        s10.StoreUnsafe(ref y1);
        s11.StoreUnsafe(ref y1, (nuint)lanes);
        s20.StoreUnsafe(ref y2);
        s21.StoreUnsafe(ref y2, (nuint)lanes);
        s30.StoreUnsafe(ref y3);
        s31.StoreUnsafe(ref y3, (nuint)lanes);
        s40.StoreUnsafe(ref y4);
        s41.StoreUnsafe(ref y4, (nuint)lanes);
        s50.StoreUnsafe(ref y5);
        s51.StoreUnsafe(ref y5, (nuint)lanes);
    }

    /// <summary>
    /// One step's dx[c] += Σ_r dA[r] · W[r, c] for the columns from <paramref name="c"/> on: eight vectors of outputs at a
    /// time, then four and single vectors whose rows alternate between two and four sets of accumulators (eight, or four,
    /// independent FMA chains: one chain per output vector is bound by the FMA latency), then scalars.
    /// </summary>
    private static void AddTransposedColumns<T>(ref T w, int rows, int columns, ref T a, ref T y, int c)
        where T : unmanaged, INumber<T>
    {
        int lanes = Vector<T>.Count;
        for (; c + 8 * lanes <= columns; c += 8 * lanes)
        {
            ref T block = ref Unsafe.Add(ref y, c);
            Vector<T> y0 = Vector.LoadUnsafe(ref block), y1 = Vector.LoadUnsafe(ref block, (nuint)lanes);
            Vector<T> y2 = Vector.LoadUnsafe(ref block, (nuint)(2 * lanes)), y3 = Vector.LoadUnsafe(ref block, (nuint)(3 * lanes));
            Vector<T> y4 = Vector.LoadUnsafe(ref block, (nuint)(4 * lanes)), y5 = Vector.LoadUnsafe(ref block, (nuint)(5 * lanes));
            Vector<T> y6 = Vector.LoadUnsafe(ref block, (nuint)(6 * lanes)), y7 = Vector.LoadUnsafe(ref block, (nuint)(7 * lanes));
            ref T row = ref Unsafe.Add(ref w, c);
            for (int r = 0; r < rows; r++)
            {
                var ar = new Vector<T>(Unsafe.Add(ref a, r));
                y0 = MultiplyAdd(ar, Vector.LoadUnsafe(ref row), y0);
                y1 = MultiplyAdd(ar, Vector.LoadUnsafe(ref row, (nuint)lanes), y1);
                y2 = MultiplyAdd(ar, Vector.LoadUnsafe(ref row, (nuint)(2 * lanes)), y2);
                y3 = MultiplyAdd(ar, Vector.LoadUnsafe(ref row, (nuint)(3 * lanes)), y3);
                y4 = MultiplyAdd(ar, Vector.LoadUnsafe(ref row, (nuint)(4 * lanes)), y4);
                y5 = MultiplyAdd(ar, Vector.LoadUnsafe(ref row, (nuint)(5 * lanes)), y5);
                y6 = MultiplyAdd(ar, Vector.LoadUnsafe(ref row, (nuint)(6 * lanes)), y6);
                y7 = MultiplyAdd(ar, Vector.LoadUnsafe(ref row, (nuint)(7 * lanes)), y7);
                row = ref Unsafe.Add(ref row, columns);
            }
            y0.StoreUnsafe(ref block);
            y1.StoreUnsafe(ref block, (nuint)lanes);
            y2.StoreUnsafe(ref block, (nuint)(2 * lanes));
            y3.StoreUnsafe(ref block, (nuint)(3 * lanes));
            y4.StoreUnsafe(ref block, (nuint)(4 * lanes));
            y5.StoreUnsafe(ref block, (nuint)(5 * lanes));
            y6.StoreUnsafe(ref block, (nuint)(6 * lanes));
            y7.StoreUnsafe(ref block, (nuint)(7 * lanes));
        }
        for (; c + 4 * lanes <= columns; c += 4 * lanes)
        {
            // Even rows into y, odd rows into z, added at the end.
            ref T block = ref Unsafe.Add(ref y, c);
            Vector<T> y0 = Vector.LoadUnsafe(ref block), y1 = Vector.LoadUnsafe(ref block, (nuint)lanes);
            Vector<T> y2 = Vector.LoadUnsafe(ref block, (nuint)(2 * lanes)), y3 = Vector.LoadUnsafe(ref block, (nuint)(3 * lanes));
            Vector<T> z0 = Vector<T>.Zero, z1 = Vector<T>.Zero, z2 = Vector<T>.Zero, z3 = Vector<T>.Zero;
            ref T row = ref Unsafe.Add(ref w, c);
            int r = 0;
            for (; r + 2 <= rows; r += 2)
            {
                var ar = new Vector<T>(Unsafe.Add(ref a, r));
                y0 = MultiplyAdd(ar, Vector.LoadUnsafe(ref row), y0);
                y1 = MultiplyAdd(ar, Vector.LoadUnsafe(ref row, (nuint)lanes), y1);
                y2 = MultiplyAdd(ar, Vector.LoadUnsafe(ref row, (nuint)(2 * lanes)), y2);
                y3 = MultiplyAdd(ar, Vector.LoadUnsafe(ref row, (nuint)(3 * lanes)), y3);
                ref T next = ref Unsafe.Add(ref row, columns);
                var an = new Vector<T>(Unsafe.Add(ref a, r + 1));
                z0 = MultiplyAdd(an, Vector.LoadUnsafe(ref next), z0);
                z1 = MultiplyAdd(an, Vector.LoadUnsafe(ref next, (nuint)lanes), z1);
                z2 = MultiplyAdd(an, Vector.LoadUnsafe(ref next, (nuint)(2 * lanes)), z2);
                z3 = MultiplyAdd(an, Vector.LoadUnsafe(ref next, (nuint)(3 * lanes)), z3);
                row = ref Unsafe.Add(ref next, columns);
            }
            if (r < rows)
            {
                var ar = new Vector<T>(Unsafe.Add(ref a, r));
                y0 = MultiplyAdd(ar, Vector.LoadUnsafe(ref row), y0);
                y1 = MultiplyAdd(ar, Vector.LoadUnsafe(ref row, (nuint)lanes), y1);
                y2 = MultiplyAdd(ar, Vector.LoadUnsafe(ref row, (nuint)(2 * lanes)), y2);
                y3 = MultiplyAdd(ar, Vector.LoadUnsafe(ref row, (nuint)(3 * lanes)), y3);
            }
            (y0 + z0).StoreUnsafe(ref block);
            (y1 + z1).StoreUnsafe(ref block, (nuint)lanes);
            (y2 + z2).StoreUnsafe(ref block, (nuint)(2 * lanes));
            (y3 + z3).StoreUnsafe(ref block, (nuint)(3 * lanes));
        }
        for (; c + lanes <= columns; c += lanes)
        {
            // Rows r, r + 1, r + 2, r + 3 into four accumulators, added at the end.
            Vector<T> y0 = Vector.LoadUnsafe(ref y, (nuint)c), y1 = Vector<T>.Zero, y2 = Vector<T>.Zero, y3 = Vector<T>.Zero;
            ref T row = ref Unsafe.Add(ref w, c);
            int r = 0;
            for (; r + 4 <= rows; r += 4)
            {
                y0 = MultiplyAdd(new Vector<T>(Unsafe.Add(ref a, r)), Vector.LoadUnsafe(ref row), y0);
                y1 = MultiplyAdd(new Vector<T>(Unsafe.Add(ref a, r + 1)), Vector.LoadUnsafe(ref row, (nuint)columns), y1);
                y2 = MultiplyAdd(new Vector<T>(Unsafe.Add(ref a, r + 2)), Vector.LoadUnsafe(ref row, (nuint)(2 * columns)), y2);
                y3 = MultiplyAdd(new Vector<T>(Unsafe.Add(ref a, r + 3)), Vector.LoadUnsafe(ref row, (nuint)(3 * columns)), y3);
                row = ref Unsafe.Add(ref row, 4 * columns);
            }
            for (; r < rows; r++)
            {
                y0 = MultiplyAdd(new Vector<T>(Unsafe.Add(ref a, r)), Vector.LoadUnsafe(ref row), y0);
                row = ref Unsafe.Add(ref row, columns);
            }
            (y0 + y1 + (y2 + y3)).StoreUnsafe(ref y, (nuint)c);
        }
        for (; c < columns; c++)
        {
            T sum = Unsafe.Add(ref y, c);
            ref T row = ref Unsafe.Add(ref w, c);
            for (int r = 0; r < rows; r++)
            {
                sum += Unsafe.Add(ref a, r) * row;
                row = ref Unsafe.Add(ref row, columns);
            }
            Unsafe.Add(ref y, c) = sum;
        }
    }

    /// <summary>a · b + c, fused (one rounding) where .NET 9+ offers it for the element type, else multiplied and added.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector<T> MultiplyAdd<T>(Vector<T> a, Vector<T> b, Vector<T> c) where T : unmanaged, INumber<T>
    {
#if NET9_0_OR_GREATER
        if (typeof(T) == typeof(float))
        {
            Vector<float> r = Vector.FusedMultiplyAdd(Unsafe.As<Vector<T>, Vector<float>>(ref a), Unsafe.As<Vector<T>, Vector<float>>(ref b), Unsafe.As<Vector<T>, Vector<float>>(ref c));
            return Unsafe.As<Vector<float>, Vector<T>>(ref r);
        }
        if (typeof(T) == typeof(double))
        {
            Vector<double> r = Vector.FusedMultiplyAdd(Unsafe.As<Vector<T>, Vector<double>>(ref a), Unsafe.As<Vector<T>, Vector<double>>(ref b), Unsafe.As<Vector<T>, Vector<double>>(ref c));
            return Unsafe.As<Vector<double>, Vector<T>>(ref r);
        }
#endif
        return a * b + c;
    }

    internal static void Check(int actual, long needed, string name)
    {
        if (actual < needed)
            throw new ArgumentException($"{name} holds {actual} values; the sizes given need at least {needed}.", name);
    }
}
