using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnGen;

public static partial class BackwardKernels
{
    /// <summary>Steps per panel: a panel of two vectors of inputs is 4 KiB, in L1 for every row of the gradient.</summary>
    private const int PanelSteps = 64;

    /// <summary>
    /// dW[r, c] += Σ_{t &lt; steps} dA[t · rows + r] · x[t · stride + c] for W of <paramref name="rows"/> ×
    /// <paramref name="columns"/>: <paramref name="dA"/> holds the steps' gradients one after the other, and step t's input
    /// starts at <c>t · stride</c> in <paramref name="x"/> (a slice of the training record).
    /// </summary>
    /// <remarks>
    /// A matrix product, dW += dAᵀ X, blocked like one: two vectors of columns of every step's input are first copied
    /// into a contiguous panel (in the record they lie kilobytes apart, and the cache keeps few lines of one stride),
    /// then four gradient rows × two vectors stay in registers while the panel streams past — eight independent FMA
    /// chains, each input vector loaded once for four rows.
    /// </remarks>
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
        Span<T> panelSpan = stackalloc T[PanelSteps * 2 * lanes];
        ref T panel = ref MemoryMarshal.GetReference(panelSpan);
        int vectorColumns = columns - columns % lanes;
        for (int first = 0; first < steps; first += PanelSteps)
        {
            int count = Math.Min(PanelSteps, steps - first);
            ref T chunkA = ref Unsafe.Add(ref a, first * rows);
            ref T chunkX = ref Unsafe.Add(ref x0, first * stride);
            for (int c = 0; c < vectorColumns; c += 2 * lanes)
            {
                int vectors = Math.Min(2, (vectorColumns - c) / lanes);
                for (int t = 0; t < count; t++)
                {
                    ref T source = ref Unsafe.Add(ref chunkX, t * stride + c);
                    ref T target = ref Unsafe.Add(ref panel, t * vectors * lanes);
                    Vector.LoadUnsafe(ref source).StoreUnsafe(ref target);
                    if (vectors == 2) Vector.LoadUnsafe(ref source, (nuint)lanes).StoreUnsafe(ref target, (nuint)lanes);
                }
                if (vectors == 2) AddPanelTwoVectors(ref Unsafe.Add(ref g, c), rows, columns, ref chunkA, ref panel, count);
                else AddPanelOneVector(ref Unsafe.Add(ref g, c), rows, columns, ref chunkA, ref panel, count);
            }
        }
        if (vectorColumns < columns)
            for (int r = 0; r < rows; r++) AddOuterProductsTail(ref Unsafe.Add(ref g, r * columns), r, vectorColumns, rows, columns, ref a, ref x0, stride, steps);
    }

    /// <summary>
    /// db[r] += Σ_{t &lt; steps} dA[t · stride + r] for r &lt; <paramref name="rows"/>: a bias gradient over the window,
    /// from the recorded step gradients (<paramref name="stride"/> apart; more than <paramref name="rows"/> when the
    /// bias takes only some of the recorded rows).
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than the sizes say.</exception>
    public static void AddStepSums<T>(Span<T> gradient, int rows, ReadOnlySpan<T> dA, int stride, int steps)
        where T : unmanaged, INumber<T>
    {
        if (steps <= 0) return;
        Check(gradient.Length, rows, nameof(gradient));
        Check(dA.Length, (long)(steps - 1) * stride + rows, nameof(dA));
        ref T g = ref MemoryMarshal.GetReference(gradient);
        ref T a = ref MemoryMarshal.GetReference(dA);
        int lanes = Vector<T>.Count;
        int r = 0;
        for (; r + 4 * lanes <= rows; r += 4 * lanes)
        {
            ref T block = ref Unsafe.Add(ref g, r);
            Vector<T> s0 = Vector.LoadUnsafe(ref block), s1 = Vector.LoadUnsafe(ref block, (nuint)lanes);
            Vector<T> s2 = Vector.LoadUnsafe(ref block, (nuint)(2 * lanes)), s3 = Vector.LoadUnsafe(ref block, (nuint)(3 * lanes));
            ref T step = ref Unsafe.Add(ref a, r);
            for (int t = 0; t < steps; t++)
            {
                s0 += Vector.LoadUnsafe(ref step);
                s1 += Vector.LoadUnsafe(ref step, (nuint)lanes);
                s2 += Vector.LoadUnsafe(ref step, (nuint)(2 * lanes));
                s3 += Vector.LoadUnsafe(ref step, (nuint)(3 * lanes));
                step = ref Unsafe.Add(ref step, stride);
            }
            s0.StoreUnsafe(ref block);
            s1.StoreUnsafe(ref block, (nuint)lanes);
            s2.StoreUnsafe(ref block, (nuint)(2 * lanes));
            s3.StoreUnsafe(ref block, (nuint)(3 * lanes));
        }
        for (; r + lanes <= rows; r += lanes)
        {
            Vector<T> s0 = Vector.LoadUnsafe(ref g, (nuint)r);
            for (int t = 0; t < steps; t++) s0 += Vector.LoadUnsafe(ref a, (nuint)(t * stride + r));
            s0.StoreUnsafe(ref g, (nuint)r);
        }
        for (; r < rows; r++)
        {
            T sum = Unsafe.Add(ref g, r);
            for (int t = 0; t < steps; t++) sum += Unsafe.Add(ref a, t * stride + r);
            Unsafe.Add(ref g, r) = sum;
        }
    }

    /// <summary>
    /// Two vectors of gradient columns (starting at <paramref name="g"/>, rows <paramref name="columns"/> apart) += Σ_t
    /// dA_t[r] · panel_t, four rows at a time, then the rows left over one by one.
    /// </summary>
    private static void AddPanelTwoVectors<T>(ref T g, int rows, int columns, ref T a, ref T panel, int count)
        where T : unmanaged, INumber<T>
    {
        int lanes = Vector<T>.Count;
        int r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            ref T row0 = ref Unsafe.Add(ref g, r * columns);
            ref T row1 = ref Unsafe.Add(ref row0, columns);
            ref T row2 = ref Unsafe.Add(ref row1, columns);
            ref T row3 = ref Unsafe.Add(ref row2, columns);
            Vector<T> g00 = Vector.LoadUnsafe(ref row0), g01 = Vector.LoadUnsafe(ref row0, (nuint)lanes);
            Vector<T> g10 = Vector.LoadUnsafe(ref row1), g11 = Vector.LoadUnsafe(ref row1, (nuint)lanes);
            Vector<T> g20 = Vector.LoadUnsafe(ref row2), g21 = Vector.LoadUnsafe(ref row2, (nuint)lanes);
            Vector<T> g30 = Vector.LoadUnsafe(ref row3), g31 = Vector.LoadUnsafe(ref row3, (nuint)lanes);
            ref T input = ref panel;
            ref T gradients = ref Unsafe.Add(ref a, r);
            for (int t = 0; t < count; t++)
            {
                Vector<T> x0 = Vector.LoadUnsafe(ref input), x1 = Vector.LoadUnsafe(ref input, (nuint)lanes);
                var s = new Vector<T>(gradients);
                g00 = MultiplyAdd(s, x0, g00);
                g01 = MultiplyAdd(s, x1, g01);
                s = new Vector<T>(Unsafe.Add(ref gradients, 1));
                g10 = MultiplyAdd(s, x0, g10);
                g11 = MultiplyAdd(s, x1, g11);
                s = new Vector<T>(Unsafe.Add(ref gradients, 2));
                g20 = MultiplyAdd(s, x0, g20);
                g21 = MultiplyAdd(s, x1, g21);
                s = new Vector<T>(Unsafe.Add(ref gradients, 3));
                g30 = MultiplyAdd(s, x0, g30);
                g31 = MultiplyAdd(s, x1, g31);
                input = ref Unsafe.Add(ref input, 2 * lanes);
                gradients = ref Unsafe.Add(ref gradients, rows);
            }
            g00.StoreUnsafe(ref row0);
            g01.StoreUnsafe(ref row0, (nuint)lanes);
            g10.StoreUnsafe(ref row1);
            g11.StoreUnsafe(ref row1, (nuint)lanes);
            g20.StoreUnsafe(ref row2);
            g21.StoreUnsafe(ref row2, (nuint)lanes);
            g30.StoreUnsafe(ref row3);
            g31.StoreUnsafe(ref row3, (nuint)lanes);
        }
        for (; r < rows; r++)
        {
            ref T row = ref Unsafe.Add(ref g, r * columns);
            Vector<T> g0 = Vector.LoadUnsafe(ref row), g1 = Vector.LoadUnsafe(ref row, (nuint)lanes);
            ref T input = ref panel;
            for (int t = 0; t < count; t++)
            {
                var s = new Vector<T>(Unsafe.Add(ref a, t * rows + r));
                g0 = MultiplyAdd(s, Vector.LoadUnsafe(ref input), g0);
                g1 = MultiplyAdd(s, Vector.LoadUnsafe(ref input, (nuint)lanes), g1);
                input = ref Unsafe.Add(ref input, 2 * lanes);
            }
            g0.StoreUnsafe(ref row);
            g1.StoreUnsafe(ref row, (nuint)lanes);
        }
    }

    /// <summary>As <see cref="AddPanelTwoVectors{T}"/> for a last single vector of columns: eight rows at a time (eight FMA chains).</summary>
    private static void AddPanelOneVector<T>(ref T g, int rows, int columns, ref T a, ref T panel, int count)
        where T : unmanaged, INumber<T>
    {
        int lanes = Vector<T>.Count;
        int r = 0;
        for (; r + 8 <= rows; r += 8)
        {
            ref T row = ref Unsafe.Add(ref g, r * columns);
            Vector<T> g0 = Vector.LoadUnsafe(ref row), g1 = Vector.LoadUnsafe(ref row, (nuint)columns);
            Vector<T> g2 = Vector.LoadUnsafe(ref row, (nuint)(2 * columns)), g3 = Vector.LoadUnsafe(ref row, (nuint)(3 * columns));
            Vector<T> g4 = Vector.LoadUnsafe(ref row, (nuint)(4 * columns)), g5 = Vector.LoadUnsafe(ref row, (nuint)(5 * columns));
            Vector<T> g6 = Vector.LoadUnsafe(ref row, (nuint)(6 * columns)), g7 = Vector.LoadUnsafe(ref row, (nuint)(7 * columns));
            ref T input = ref panel;
            ref T gradients = ref Unsafe.Add(ref a, r);
            for (int t = 0; t < count; t++)
            {
                Vector<T> x0 = Vector.LoadUnsafe(ref input);
                g0 = MultiplyAdd(new Vector<T>(gradients), x0, g0);
                g1 = MultiplyAdd(new Vector<T>(Unsafe.Add(ref gradients, 1)), x0, g1);
                g2 = MultiplyAdd(new Vector<T>(Unsafe.Add(ref gradients, 2)), x0, g2);
                g3 = MultiplyAdd(new Vector<T>(Unsafe.Add(ref gradients, 3)), x0, g3);
                g4 = MultiplyAdd(new Vector<T>(Unsafe.Add(ref gradients, 4)), x0, g4);
                g5 = MultiplyAdd(new Vector<T>(Unsafe.Add(ref gradients, 5)), x0, g5);
                g6 = MultiplyAdd(new Vector<T>(Unsafe.Add(ref gradients, 6)), x0, g6);
                g7 = MultiplyAdd(new Vector<T>(Unsafe.Add(ref gradients, 7)), x0, g7);
                input = ref Unsafe.Add(ref input, lanes);
                gradients = ref Unsafe.Add(ref gradients, rows);
            }
            g0.StoreUnsafe(ref row);
            g1.StoreUnsafe(ref row, (nuint)columns);
            g2.StoreUnsafe(ref row, (nuint)(2 * columns));
            g3.StoreUnsafe(ref row, (nuint)(3 * columns));
            g4.StoreUnsafe(ref row, (nuint)(4 * columns));
            g5.StoreUnsafe(ref row, (nuint)(5 * columns));
            g6.StoreUnsafe(ref row, (nuint)(6 * columns));
            g7.StoreUnsafe(ref row, (nuint)(7 * columns));
        }
        for (; r < rows; r++)
        {
            ref T row = ref Unsafe.Add(ref g, r * columns);
            Vector<T> g0 = Vector.LoadUnsafe(ref row);
            ref T input = ref panel;
            for (int t = 0; t < count; t++)
            {
                g0 = MultiplyAdd(new Vector<T>(Unsafe.Add(ref a, t * rows + r)), Vector.LoadUnsafe(ref input), g0);
                input = ref Unsafe.Add(ref input, lanes);
            }
            g0.StoreUnsafe(ref row);
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

    /// <summary>Row <paramref name="r"/> of <see cref="AddOuterProducts{T}"/> from column <paramref name="c"/> on, one scalar sum per weight (columns past the last whole vector).</summary>
    private static void AddOuterProductsTail<T>(ref T gRow, int r, int c, int rows, int columns, ref T a, ref T x0, int stride, int steps)
        where T : unmanaged, INumber<T>
    {
        for (; c < columns; c++)
        {
            T sum = Unsafe.Add(ref gRow, c);
            for (int t = 0; t < steps; t++) sum += Unsafe.Add(ref a, t * rows + r) * Unsafe.Add(ref x0, t * stride + c);
            Unsafe.Add(ref gRow, c) = sum;
        }
    }
}
