using System;

namespace RnnGen.Benchmarks.Models;

/// <summary>
/// Deterministic inputs for one shape: the same values on every machine and in every process (a SplitMix64 stream,
/// uniform in [-1, 1)), so every peer sees the same data and the checks compare like with like.
/// </summary>
public sealed class Workload
{
    /// <summary>Steps of the input ring the streaming benchmark cycles through (one invocation runs them all).</summary>
    public const int RingSteps = 1000;

    public Workload(int inputSize, int outputSize, ulong seed = 0x5EED)
    {
        InputSize = inputSize;
        OutputSize = outputSize;
        var random = new SplitMix(seed);
        Ring = random.Fill(RingSteps * inputSize);
        Sequence = random.Fill(Shapes.SequenceSteps * inputSize);
        BatchStreamMajor = random.Fill(Shapes.Streams * Shapes.SequenceSteps * inputSize);
        BatchTimeMajor = Transpose(BatchStreamMajor, Shapes.Streams, Shapes.SequenceSteps, inputSize);
        TrainingInputs = random.Fill(Shapes.TrainingSteps * inputSize);
        TrainingTargets = random.Fill(Shapes.TrainingSteps * outputSize);
    }

    public int InputSize { get; }

    public int OutputSize { get; }

    /// <summary>[RingSteps, InputSize]: inputs of the streaming (Step) benchmark.</summary>
    public float[] Ring { get; }

    /// <summary>[128, InputSize]: one sequence for the whole-sequence benchmark.</summary>
    public float[] Sequence { get; }

    /// <summary>[16 streams, 128 steps, InputSize]: the batch inputs, stream after stream.</summary>
    public float[] BatchStreamMajor { get; }

    /// <summary>[128 steps, 16 streams, InputSize]: the same batch inputs, step after step.</summary>
    public float[] BatchTimeMajor { get; }

    /// <summary>[64, InputSize] and [64, OutputSize]: one training window and its targets.</summary>
    public float[] TrainingInputs { get; }

    public float[] TrainingTargets { get; }

    /// <summary>The batch inputs in <paramref name="layout"/>.</summary>
    public float[] BatchInputs(BatchLayout layout) => layout == BatchLayout.StreamMajor ? BatchStreamMajor : BatchTimeMajor;

    /// <summary>[a, b, n] → [b, a, n].</summary>
    public static float[] Transpose(ReadOnlySpan<float> values, int a, int b, int n)
    {
        var result = new float[values.Length];
        for (int i = 0; i < a; i++)
            for (int j = 0; j < b; j++)
                values.Slice((i * b + j) * n, n).CopyTo(result.AsSpan((j * a + i) * n, n));
        return result;
    }

    private struct SplitMix(ulong state)
    {
        public float[] Fill(int count)
        {
            var values = new float[count];
            for (int i = 0; i < count; i++)
            {
                ulong z = state += 0x9E3779B97F4A7C15UL;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                z ^= z >> 31;
                values[i] = (float)((z >> 40) * (1.0 / (1UL << 24)) * 2 - 1);
            }
            return values;
        }
    }
}

/// <summary>How a peer wants the batch: [streams, steps, n] or [steps, streams, n] (inputs and outputs alike).</summary>
public enum BatchLayout { StreamMajor, TimeMajor }
