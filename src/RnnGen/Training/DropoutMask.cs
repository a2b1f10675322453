using System;
using System.ComponentModel;
using System.Numerics;

namespace RnnGen;

/// <summary>
/// Inverted-dropout masks for training: each value is 0 with probability p and 1 / (1 − p) otherwise, drawn from a
/// SplitMix64 state the model owns, so a seed fixes the masks on every machine.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class DropoutMask
{
    /// <summary>The generator state for <paramref name="seed"/>.</summary>
    public static ulong Seed(int seed) => unchecked((ulong)seed * 0xD1B54A32D192ED03UL + 0x9E3779B97F4A7C15UL);

    /// <summary>Fills <paramref name="mask"/> with 0 (probability <paramref name="probability"/>) or 1 / (1 − p).</summary>
    public static void Fill<T>(Span<T> mask, double probability, ref ulong state) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T keep = T.CreateChecked(1 / (1 - probability));
        for (int i = 0; i < mask.Length; i++)
        {
            ulong z = state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            double u = (z >> 11) * (1.0 / (1UL << 53));
            mask[i] = u < probability ? T.Zero : keep;
        }
    }
}
