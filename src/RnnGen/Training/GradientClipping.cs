using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace RnnGen;

/// <summary>Gradient clipping as <c>torch.nn.utils.clip_grad_norm_</c>.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales <paramref name="gradients"/> by min(1, maxNorm / (‖g‖₂ + 1e-6)), so their global L2 norm is at most
    /// <paramref name="maxNorm"/>; returns the norm before scaling.
    /// </summary>
    public static T ClipByGlobalNorm<T>(Span<T> gradients, T maxNorm) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(maxNorm > T.Zero)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "maxNorm must be positive.");
        T norm = TensorPrimitives.Norm<T>(gradients);
        T coefficient = maxNorm / (norm + T.CreateChecked(1e-6));
        if (coefficient < T.One) TensorPrimitives.Multiply<T>(gradients, coefficient, gradients);
        return norm;
    }
}
