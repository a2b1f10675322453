using System;
using System.ComponentModel;
using System.Numerics.Tensors;

namespace RnnGen;

/// <summary>
/// Element-wise activations used by generated models, applied in place. Vectorized through
/// <see cref="TensorPrimitives"/>; they allocate nothing.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class Activations
{
    /// <summary>x ← 1 / (1 + e^-x).</summary>
    public static void Sigmoid(Span<float> x) => TensorPrimitives.Sigmoid(x, x);

    /// <summary>x ← 1 / (1 + e^-x).</summary>
    public static void Sigmoid(Span<double> x) => TensorPrimitives.Sigmoid<double>(x, x);

    /// <summary>x ← tanh(x).</summary>
    public static void Tanh(Span<float> x) => TensorPrimitives.Tanh(x, x);

    /// <summary>x ← tanh(x).</summary>
    public static void Tanh(Span<double> x) => TensorPrimitives.Tanh<double>(x, x);

    /// <summary>x ← max(0, x).</summary>
    public static void Relu(Span<float> x) => TensorPrimitives.Max(x, 0f, x);

    /// <summary>x ← max(0, x).</summary>
    public static void Relu(Span<double> x) => TensorPrimitives.Max<double>(x, 0d, x);

    /// <summary>x ← e^x / Σ e^x (shifted by the maximum, so it cannot overflow).</summary>
    public static void Softmax(Span<float> x)
    {
        TensorPrimitives.Subtract(x, TensorPrimitives.Max(x), x);
        TensorPrimitives.Exp(x, x);
        TensorPrimitives.Divide(x, TensorPrimitives.Sum(x), x);
    }

    /// <summary>x ← e^x / Σ e^x (shifted by the maximum, so it cannot overflow).</summary>
    public static void Softmax(Span<double> x)
    {
        TensorPrimitives.Subtract<double>(x, TensorPrimitives.Max<double>(x), x);
        TensorPrimitives.Exp<double>(x, x);
        TensorPrimitives.Divide<double>(x, TensorPrimitives.Sum<double>(x), x);
    }
}
