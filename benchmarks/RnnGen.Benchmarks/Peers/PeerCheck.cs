using System;
using RnnGen.Benchmarks.Models;

namespace RnnGen.Benchmarks.Peers;

/// <summary>
/// Before a peer is measured, its outputs must match RnnGen's to <see cref="Tolerance"/> (max absolute difference) on
/// the same weights and inputs: a few streaming steps with the state carried, a 128-step sequence from zero, and the
/// 16-stream batch. A peer that computes something else throws here instead of producing a flattering number.
/// </summary>
public static class PeerCheck
{
    public const float Tolerance = 1e-4f;

    /// <summary>Streaming steps compared one by one.</summary>
    public const int StreamingSteps = 8;

    /// <summary>Checks <paramref name="peer"/> against <paramref name="reference"/>; returns the largest difference seen.</summary>
    public static float Verify(string name, Peer reference, Peer peer, Workload workload, bool batch = true)
    {
        if (peer.InputSize != reference.InputSize || peer.OutputSize != reference.OutputSize)
            throw new InvalidOperationException($"{name}: sizes {peer.InputSize}→{peer.OutputSize}, RnnGen {reference.InputSize}→{reference.OutputSize}");
        int I = reference.InputSize, O = reference.OutputSize;
        float worst = 0;

        // Streaming: the state must be carried from call to call.
        reference.ResetState();
        peer.ResetState();
        float[] expected = new float[O], actual = new float[O];
        for (int t = 0; t < StreamingSteps; t++)
        {
            ReadOnlySpan<float> input = workload.Sequence.AsSpan(t * I, I);
            reference.Step(input, expected);
            actual.AsSpan().Fill(float.NaN);
            peer.Step(input, actual);
            worst = MathF.Max(worst, Compare($"{name}: streaming step {t}", expected, actual));
        }
        reference.ResetState();
        peer.ResetState();

        // A whole sequence from zero state (twice: the second call must not continue from the first).
        float[] sequenceExpected = new float[Shapes.SequenceSteps * O], sequenceActual = new float[Shapes.SequenceSteps * O];
        reference.ForwardFromZero(workload.Sequence, sequenceExpected);
        // Guard against a vacuous comparison: with InitializeParameters' weights the outputs are far from constant.
        float spread = System.Numerics.Tensors.TensorPrimitives.Max(sequenceExpected) - System.Numerics.Tensors.TensorPrimitives.Min(sequenceExpected);
        if (!(spread > 100 * Tolerance)) throw new InvalidOperationException($"{name}: RnnGen's outputs hardly vary (spread {spread:e2}); the check would prove nothing");
        for (int pass = 0; pass < 2; pass++)
        {
            sequenceActual.AsSpan().Fill(float.NaN);
            peer.ForwardFromZero(workload.Sequence, sequenceActual);
            worst = MathF.Max(worst, Compare($"{name}: {Shapes.SequenceSteps}-step sequence (call {pass + 1})", sequenceExpected, sequenceActual));
        }

        if (batch)
        {
            float[] batchExpected = RunBatch(reference, workload), batchActual = RunBatch(peer, workload);
            worst = MathF.Max(worst, Compare($"{name}: {Shapes.Streams} streams × {Shapes.SequenceSteps} steps", batchExpected, batchActual));
        }
        return worst;
    }

    /// <summary>The batch outputs of <paramref name="peer"/>, converted to time-major whatever its layout.</summary>
    public static float[] RunBatch(Peer peer, Workload workload)
    {
        float[] outputs = new float[Shapes.Streams * Shapes.SequenceSteps * peer.OutputSize];
        outputs.AsSpan().Fill(float.NaN);
        peer.ForwardBatchFromZero(workload.BatchInputs(peer.BatchLayout), outputs);
        return peer.BatchLayout == BatchLayout.TimeMajor ? outputs : Workload.Transpose(outputs, Shapes.Streams, Shapes.SequenceSteps, peer.OutputSize);
    }

    /// <summary>Throws unless every value is within <see cref="Tolerance"/> (NaN never is); returns the largest difference.</summary>
    public static float Compare(string what, ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        if (expected.Length != actual.Length) throw new InvalidOperationException($"{what}: {actual.Length} values, expected {expected.Length}");
        float worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            if (!float.IsFinite(expected[i])) throw new InvalidOperationException($"{what}: RnnGen's output [{i}] is {expected[i]}");
            float difference = MathF.Abs(expected[i] - actual[i]);
            if (!(difference <= Tolerance))
                throw new InvalidOperationException($"{what}: output [{i}] is {actual[i]:R}, RnnGen {expected[i]:R} (difference {difference:e2} > {Tolerance})");
            worst = MathF.Max(worst, difference);
        }
        return worst;
    }
}
