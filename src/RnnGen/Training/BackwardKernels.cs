using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnGen;

/// <summary>
/// The two products of a recurrent layer's backward pass, called by the generated code (W row-major
/// <c>[rows, columns]</c>, PyTorch's layout):
/// <list type="bullet">
/// <item><see cref="AddTransposedProduct{T}"/>, every step: dx += Wᵀ dA, the gradient that flows to the layer's input
/// or to the previous step;</item>
/// <item><see cref="AddOuterProducts{T}"/>, once per window: dW += Σ_t dA_t x_tᵀ over the recorded steps, so each
/// gradient row is read and written once per window instead of once per step.</item>
/// </list>
/// Both keep a block of outputs in registers (eight vectors, or two rows of four) and stream the other operand; each
/// output still sums its terms in order (r, or t): the same operations as one vector at a time, the same bits.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class BackwardKernels
{
    /// <summary>dx[c] += Σ_r dA[r] · W[r, c] for W of <paramref name="rows"/> × <paramref name="columns"/>.</summary>
    /// <exception cref="ArgumentException">A span is shorter than the sizes say.</exception>
    public static void AddTransposedProduct<T>(ReadOnlySpan<T> weights, int rows, int columns, ReadOnlySpan<T> dA, Span<T> dx)
        where T : unmanaged, INumber<T>
    {
        Check(weights.Length, (long)rows * columns, nameof(weights));
        Check(dA.Length, rows, nameof(dA));
        Check(dx.Length, columns, nameof(dx));
        ref T w = ref MemoryMarshal.GetReference(weights);
        ref T a = ref MemoryMarshal.GetReference(dA);
        ref T y = ref MemoryMarshal.GetReference(dx);
        int lanes = Vector<T>.Count;
        int c = 0;
        // Eight vectors of outputs: eight independent FMA chains, enough to hide the FMA latency (four are not).
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
            Vector<T> y0 = Vector.LoadUnsafe(ref y, (nuint)c), y1 = Vector.LoadUnsafe(ref y, (nuint)(c + lanes));
            Vector<T> y2 = Vector.LoadUnsafe(ref y, (nuint)(c + 2 * lanes)), y3 = Vector.LoadUnsafe(ref y, (nuint)(c + 3 * lanes));
            ref T row = ref Unsafe.Add(ref w, c);
            for (int r = 0; r < rows; r++)
            {
                var ar = new Vector<T>(Unsafe.Add(ref a, r));
                y0 = MultiplyAdd(ar, Vector.LoadUnsafe(ref row), y0);
                y1 = MultiplyAdd(ar, Vector.LoadUnsafe(ref row, (nuint)lanes), y1);
                y2 = MultiplyAdd(ar, Vector.LoadUnsafe(ref row, (nuint)(2 * lanes)), y2);
                y3 = MultiplyAdd(ar, Vector.LoadUnsafe(ref row, (nuint)(3 * lanes)), y3);
                row = ref Unsafe.Add(ref row, columns);
            }
            y0.StoreUnsafe(ref y, (nuint)c);
            y1.StoreUnsafe(ref y, (nuint)(c + lanes));
            y2.StoreUnsafe(ref y, (nuint)(c + 2 * lanes));
            y3.StoreUnsafe(ref y, (nuint)(c + 3 * lanes));
        }
        for (; c + lanes <= columns; c += lanes)
        {
            Vector<T> y0 = Vector.LoadUnsafe(ref y, (nuint)c);
            ref T row = ref Unsafe.Add(ref w, c);
            for (int r = 0; r < rows; r++)
            {
                y0 = MultiplyAdd(new Vector<T>(Unsafe.Add(ref a, r)), Vector.LoadUnsafe(ref row), y0);
                row = ref Unsafe.Add(ref row, columns);
            }
            y0.StoreUnsafe(ref y, (nuint)c);
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

    /// <summary>
    /// dW[r, c] += Σ_{t &lt; steps} dA[t · rows + r] · x[t · stride + c] for W of <paramref name="rows"/> ×
    /// <paramref name="columns"/>: <paramref name="dA"/> holds the steps' gradients one after the other, and step t's input
    /// starts at <c>t · stride</c> in <paramref name="x"/> (a slice of the training record).
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than the sizes say.</exception>
    public static void AddOuterProducts<T>(Span<T> gradient, int rows, int columns, ReadOnlySpan<T> dA, ReadOnlySpan<T> x, int stride, int steps)
        where T : unmanaged, INumber<T>
    {
        if (steps <= 0) return;
        Check(gradient.Length, (long)rows * columns, nameof(gradient));
        Check(dA.Length, (long)steps * rows, nameof(dA));
        Check(x.Length, (long)(steps - 1) * stride + columns, nameof(x));
        ref T g = ref MemoryMarshal.GetReference(gradient);
        ref T a = ref MemoryMarshal.GetReference(dA);
        ref T x0 = ref MemoryMarshal.GetReference(x);
        int lanes = Vector<T>.Count;
        if (columns < lanes)
        {
            AddNarrowOuterProducts(ref g, rows, columns, ref a, ref x0, stride, steps);
            return;
        }
        int r = 0;
        // Two rows at a time over blocks of four vectors: each input vector feeds both rows, and the eight accumulators
        // are eight independent FMA chains.
        for (; r + 2 <= rows; r += 2)
        {
            ref T gRow = ref Unsafe.Add(ref g, r * columns);
            ref T gNext = ref Unsafe.Add(ref gRow, columns);
            int c = 0;
            for (; c + 4 * lanes <= columns; c += 4 * lanes)
            {
                Vector<T> g0 = Vector.LoadUnsafe(ref gRow, (nuint)c), g1 = Vector.LoadUnsafe(ref gRow, (nuint)(c + lanes));
                Vector<T> g2 = Vector.LoadUnsafe(ref gRow, (nuint)(c + 2 * lanes)), g3 = Vector.LoadUnsafe(ref gRow, (nuint)(c + 3 * lanes));
                Vector<T> h0 = Vector.LoadUnsafe(ref gNext, (nuint)c), h1 = Vector.LoadUnsafe(ref gNext, (nuint)(c + lanes));
                Vector<T> h2 = Vector.LoadUnsafe(ref gNext, (nuint)(c + 2 * lanes)), h3 = Vector.LoadUnsafe(ref gNext, (nuint)(c + 3 * lanes));
                ref T input = ref Unsafe.Add(ref x0, c);
                ref T gradients = ref Unsafe.Add(ref a, r);
                for (int t = 0; t < steps; t++)
                {
                    Vector<T> i0 = Vector.LoadUnsafe(ref input), i1 = Vector.LoadUnsafe(ref input, (nuint)lanes);
                    Vector<T> i2 = Vector.LoadUnsafe(ref input, (nuint)(2 * lanes)), i3 = Vector.LoadUnsafe(ref input, (nuint)(3 * lanes));
                    var at = new Vector<T>(gradients);
                    g0 = MultiplyAdd(at, i0, g0);
                    g1 = MultiplyAdd(at, i1, g1);
                    g2 = MultiplyAdd(at, i2, g2);
                    g3 = MultiplyAdd(at, i3, g3);
                    var bt = new Vector<T>(Unsafe.Add(ref gradients, 1));
                    h0 = MultiplyAdd(bt, i0, h0);
                    h1 = MultiplyAdd(bt, i1, h1);
                    h2 = MultiplyAdd(bt, i2, h2);
                    h3 = MultiplyAdd(bt, i3, h3);
                    input = ref Unsafe.Add(ref input, stride);
                    gradients = ref Unsafe.Add(ref gradients, rows);
                }
                g0.StoreUnsafe(ref gRow, (nuint)c);
                g1.StoreUnsafe(ref gRow, (nuint)(c + lanes));
                g2.StoreUnsafe(ref gRow, (nuint)(c + 2 * lanes));
                g3.StoreUnsafe(ref gRow, (nuint)(c + 3 * lanes));
                h0.StoreUnsafe(ref gNext, (nuint)c);
                h1.StoreUnsafe(ref gNext, (nuint)(c + lanes));
                h2.StoreUnsafe(ref gNext, (nuint)(c + 2 * lanes));
                h3.StoreUnsafe(ref gNext, (nuint)(c + 3 * lanes));
            }
            AddOuterProductsTail(ref gRow, r, c, rows, columns, ref a, ref x0, stride, steps);
            AddOuterProductsTail(ref gNext, r + 1, c, rows, columns, ref a, ref x0, stride, steps);
        }
        for (; r < rows; r++)
        {
            ref T gRow = ref Unsafe.Add(ref g, r * columns);
            int c = 0;
            for (; c + 4 * lanes <= columns; c += 4 * lanes)
            {
                Vector<T> g0 = Vector.LoadUnsafe(ref gRow, (nuint)c), g1 = Vector.LoadUnsafe(ref gRow, (nuint)(c + lanes));
                Vector<T> g2 = Vector.LoadUnsafe(ref gRow, (nuint)(c + 2 * lanes)), g3 = Vector.LoadUnsafe(ref gRow, (nuint)(c + 3 * lanes));
                ref T input = ref Unsafe.Add(ref x0, c);
                for (int t = 0; t < steps; t++)
                {
                    var at = new Vector<T>(Unsafe.Add(ref a, t * rows + r));
                    g0 = MultiplyAdd(at, Vector.LoadUnsafe(ref input), g0);
                    g1 = MultiplyAdd(at, Vector.LoadUnsafe(ref input, (nuint)lanes), g1);
                    g2 = MultiplyAdd(at, Vector.LoadUnsafe(ref input, (nuint)(2 * lanes)), g2);
                    g3 = MultiplyAdd(at, Vector.LoadUnsafe(ref input, (nuint)(3 * lanes)), g3);
                    input = ref Unsafe.Add(ref input, stride);
                }
                g0.StoreUnsafe(ref gRow, (nuint)c);
                g1.StoreUnsafe(ref gRow, (nuint)(c + lanes));
                g2.StoreUnsafe(ref gRow, (nuint)(c + 2 * lanes));
                g3.StoreUnsafe(ref gRow, (nuint)(c + 3 * lanes));
            }
            AddOuterProductsTail(ref gRow, r, c, rows, columns, ref a, ref x0, stride, steps);
        }
    }

    /// <summary>
    /// <see cref="AddOuterProducts{T}"/> for rows narrower than a vector (a layer with one or a few inputs): vectors run
    /// down the rows instead, dW[r..r+lanes, c] += Σ_t dA_t[r..r+lanes] · x_t[c], four vectors of rows at a time (four
    /// FMA chains, where a scalar sum per weight was one long chain of dependent additions).
    /// </summary>
    private static void AddNarrowOuterProducts<T>(ref T g, int rows, int columns, ref T a, ref T x0, int stride, int steps)
        where T : unmanaged, INumber<T>
    {
        int lanes = Vector<T>.Count;
        Span<T> column = stackalloc T[4 * lanes]; // dW[r.., c] gathered from its stride of `columns`
        int r = 0;
        for (; r + 4 * lanes <= rows; r += 4 * lanes)
        {
            for (int c = 0; c < columns; c++)
            {
                for (int i = 0; i < 4 * lanes; i++) column[i] = Unsafe.Add(ref g, (r + i) * columns + c);
                ref T block = ref MemoryMarshal.GetReference(column);
                Vector<T> g0 = Vector.LoadUnsafe(ref block), g1 = Vector.LoadUnsafe(ref block, (nuint)lanes);
                Vector<T> g2 = Vector.LoadUnsafe(ref block, (nuint)(2 * lanes)), g3 = Vector.LoadUnsafe(ref block, (nuint)(3 * lanes));
                ref T gradients = ref Unsafe.Add(ref a, r);
                for (int t = 0; t < steps; t++)
                {
                    var xt = new Vector<T>(Unsafe.Add(ref x0, t * stride + c));
                    g0 = MultiplyAdd(xt, Vector.LoadUnsafe(ref gradients), g0);
                    g1 = MultiplyAdd(xt, Vector.LoadUnsafe(ref gradients, (nuint)lanes), g1);
                    g2 = MultiplyAdd(xt, Vector.LoadUnsafe(ref gradients, (nuint)(2 * lanes)), g2);
                    g3 = MultiplyAdd(xt, Vector.LoadUnsafe(ref gradients, (nuint)(3 * lanes)), g3);
                    gradients = ref Unsafe.Add(ref gradients, rows);
                }
                g0.StoreUnsafe(ref block);
                g1.StoreUnsafe(ref block, (nuint)lanes);
                g2.StoreUnsafe(ref block, (nuint)(2 * lanes));
                g3.StoreUnsafe(ref block, (nuint)(3 * lanes));
                for (int i = 0; i < 4 * lanes; i++) Unsafe.Add(ref g, (r + i) * columns + c) = column[i];
            }
        }
        for (; r < rows; r++) AddOuterProductsTail(ref Unsafe.Add(ref g, r * columns), r, 0, rows, columns, ref a, ref x0, stride, steps);
    }

    /// <summary>Row <paramref name="r"/> of <see cref="AddOuterProducts{T}"/> from column <paramref name="c"/> on: single vectors, then scalars.</summary>
    private static void AddOuterProductsTail<T>(ref T gRow, int r, int c, int rows, int columns, ref T a, ref T x0, int stride, int steps)
        where T : unmanaged, INumber<T>
    {
        int lanes = Vector<T>.Count;
        for (; c + lanes <= columns; c += lanes)
        {
            Vector<T> g0 = Vector.LoadUnsafe(ref gRow, (nuint)c);
            ref T input = ref Unsafe.Add(ref x0, c);
            for (int t = 0; t < steps; t++)
            {
                g0 = MultiplyAdd(new Vector<T>(Unsafe.Add(ref a, t * rows + r)), Vector.LoadUnsafe(ref input), g0);
                input = ref Unsafe.Add(ref input, stride);
            }
            g0.StoreUnsafe(ref gRow, (nuint)c);
        }
        for (; c < columns; c++)
        {
            T sum = Unsafe.Add(ref gRow, c);
            for (int t = 0; t < steps; t++) sum += Unsafe.Add(ref a, t * rows + r) * Unsafe.Add(ref x0, t * stride + c);
            Unsafe.Add(ref gRow, c) = sum;
        }
    }

    /// <summary>a · b + c, fused (one rounding) where .NET 9+ offers it for the element type, else multiplied and added.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> MultiplyAdd<T>(Vector<T> a, Vector<T> b, Vector<T> c) where T : unmanaged, INumber<T>
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

    private static void Check(int actual, long needed, string name)
    {
        if (actual < needed)
            throw new ArgumentException($"{name} holds {actual} values; the sizes given need at least {needed}.", name);
    }
}
