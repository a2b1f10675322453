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
/// Both keep a block of outputs in registers and stream the other operand, four <see cref="Vector{T}"/> at a time.
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
        for (int r = 0; r < rows; r++)
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
