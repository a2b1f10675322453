using System;
using BenchmarkDotNet.Attributes;
using RnnGen.Benchmarks.Models;

namespace RnnGen.Benchmarks.ModelBenchmarks;

/// <summary>
/// Streaming: one step with the state carried from call to call (a sensor sample, an audio frame). One invocation
/// runs <see cref="Workload.RingSteps"/> steps over a precomputed input ring; the figure is per step.
/// </summary>
[BenchmarkCategory("Step")]
[MemoryDiagnoser]
public partial class StepBenchmarks : ModelBenchmark
{
    private const int Steps = Workload.RingSteps;
    private float[] _output = null!;

    [GlobalSetup(Target = nameof(RnnGen))]
    public void SetupRnnGen() => Prepare(null, nameof(RnnGen));

    [GlobalSetup(Target = nameof(RnnGenFast))]
    public void SetupRnnGenFast() => Prepare(_ => Models.Shapes.CreateRnnGenFast(Shape), nameof(RnnGenFast));

    [GlobalSetup(Target = nameof(Scalar))]
    public void SetupScalar() => Prepare(CreateScalar, nameof(Scalar));

    [GlobalSetup(Target = nameof(TensorPrimitives))]
    public void SetupTensorPrimitives() => Prepare(CreateTensorPrimitives, nameof(TensorPrimitives));

    private void Prepare(Func<IRecurrentModel<float>, Peers.Peer>? create, string name)
    {
        Setup(create, name);
        _output = new float[Measured.OutputSize];
        Measured.ResetState();
    }

    [GlobalCleanup]
    public void TearDown() => Cleanup();

    [Benchmark(Baseline = true, OperationsPerInvoke = Steps)]
    public float RnnGen() => Run();

    /// <summary>RnnGen with FastActivations = true (approximate sigmoid and tanh, about 1e-6).</summary>
    [Benchmark(OperationsPerInvoke = Steps)]
    public float RnnGenFast() => Run();

    [Benchmark(OperationsPerInvoke = Steps)]
    public float Scalar() => Run();

    [Benchmark(OperationsPerInvoke = Steps)]
    public float TensorPrimitives() => Run();

    private float Run()
    {
        Peers.Peer peer = Measured;
        ReadOnlySpan<float> ring = Workload.Ring;
        Span<float> output = _output;
        int inputSize = peer.InputSize;
        for (int t = 0; t < Steps; t++) peer.Step(ring.Slice(t * inputSize, inputSize), output);
        return output[0];
    }
}
