using System;
using System.Diagnostics;
using System.Linq;
using RnnGen;

// Median of 9 runs: ns per Step with the state carried (a million steps, fewer for E) and µs per 128-step Forward
// from the zero state; the allocations of every measured call are counted and must be zero.
Console.WriteLine($"RnnGen Step/Forward latency, {(System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported ? "JIT" : "NativeAOT")}, " +
    $"Vector256 accelerated: {System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated}, {Environment.ProcessorCount} cores");
Console.WriteLine();
Console.WriteLine("| shape | model | Step ns | Forward ×128 µs | bytes allocated |");
Console.WriteLine("|---|---|---|---|---|");
bool allocated = false;
allocated |= Measure("A", "LSTM 1→8, Dense 8→1", new ShapeA(), 1_000_000);
allocated |= Measure("B", "LSTM 1→32, Dense 32→1", new ShapeB(), 1_000_000);
allocated |= Measure("C", "GRU 1→32, Dense 32→1", new ShapeC(), 1_000_000);
allocated |= Measure("D", "LSTM 16→64, Dense 64→16", new ShapeD(), 200_000);
allocated |= Measure("E", "LSTM 32→128→128, Dense 128→10", new ShapeE(), 20_000);
allocated |= Measure("F", "SimpleRNN 16→64, Dense 64→16", new ShapeF(), 200_000);
return allocated ? 1 : 0;

static bool Measure(string shape, string description, IRecurrentModel<float> model, int steps)
{
    model.InitializeParameters(seed: 2026);
    var random = new Random(1);
    float[] inputs = Enumerable.Range(0, 128 * model.InputSize).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    float[] outputs = new float[128 * model.OutputSize];
    float[] output = new float[model.OutputSize];
    long bytes = 0;
    double[] step = new double[9], forward = new double[9];
    for (int run = -2; run < 9; run++) // two warm-up runs
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < steps; i++)
            model.Step(inputs.AsSpan(i % 128 * model.InputSize, model.InputSize), output);
        double stepNs = Stopwatch.GetElapsedTime(start).TotalNanoseconds / steps;
        int sequences = Math.Max(1, steps / 128);
        start = Stopwatch.GetTimestamp();
        for (int i = 0; i < sequences; i++)
        {
            model.ResetState();
            model.Forward(inputs, outputs);
        }
        double forwardUs = Stopwatch.GetElapsedTime(start).TotalMicroseconds / sequences;
        long after = GC.GetAllocatedBytesForCurrentThread();
        if (run < 0) continue;
        bytes += after - before;
        step[run] = stepNs;
        forward[run] = forwardUs;
    }
    Console.WriteLine($"| {shape} | {description} | {Median(step):F0} | {Median(forward):F1} | {bytes} |");
    return bytes != 0;
}

static double Median(double[] values) => values.Order().ElementAt(values.Length / 2);

[RecurrentModel(inputSize: 1)] [Lstm(8)] [Dense(1)] partial class ShapeA;
[RecurrentModel(inputSize: 1)] [Lstm(32)] [Dense(1)] partial class ShapeB;
[RecurrentModel(inputSize: 1)] [Gru(32)] [Dense(1)] partial class ShapeC;
[RecurrentModel(inputSize: 16)] [Lstm(64)] [Dense(16)] partial class ShapeD;
[RecurrentModel(inputSize: 32)] [Lstm(128)] [Lstm(128)] [Dense(10)] partial class ShapeE;
[RecurrentModel(inputSize: 16)] [SimpleRnn(64)] [Dense(16)] partial class ShapeF;
