using System;
using BenchmarkDotNet.Attributes;
using RnnGen.Benchmarks.Models;

namespace RnnGen.Benchmarks.ModelBenchmarks;

/// <summary>
/// Many streams sharing one set of weights: <see cref="Shapes.Streams"/> independent streams of
/// <see cref="Shapes.SequenceSteps"/> steps, each from a zero state. The figure is for all streams together
/// (divide by 16 for PERFORMANCE.md's "per stream"). RnnGen's call is isolated in RnnGenPeer.RunBatch.
/// </summary>
[BenchmarkCategory("Batch")]
[MemoryDiagnoser]
public partial class BatchBenchmarks : ModelBenchmark
{
    private float[] _inputs = null!, _outputs = null!;

    [GlobalSetup(Target = nameof(RnnGen))]
    public void SetupRnnGen() => Prepare(null, nameof(RnnGen));

    [GlobalSetup(Target = nameof(RnnGenFast))]
    public void SetupRnnGenFast() => Prepare(_ => Shapes.CreateRnnGenFast(Shape), nameof(RnnGenFast));

    [GlobalSetup(Target = nameof(Scalar))]
    public void SetupScalar() => Prepare(CreateScalar, nameof(Scalar));

    [GlobalSetup(Target = nameof(TensorPrimitives))]
    public void SetupTensorPrimitives() => Prepare(CreateTensorPrimitives, nameof(TensorPrimitives));

    private void Prepare(Func<IRecurrentModel<float>, Peers.Peer>? create, string name)
    {
        Setup(create, name);
        _inputs = Workload.BatchInputs(Measured.BatchLayout);
        _outputs = new float[Shapes.Streams * Shapes.SequenceSteps * Measured.OutputSize];
    }

    [GlobalCleanup]
    public void TearDown() => Cleanup();

    [Benchmark(Baseline = true)]
    public float RnnGen() => Run();

    /// <summary>RnnGen with FastActivations = true (approximate sigmoid and tanh, about 1e-6).</summary>
    [Benchmark]
    public float RnnGenFast() => Run();

    [Benchmark]
    public float Scalar() => Run();

    [Benchmark]
    public float TensorPrimitives() => Run();

    private float Run()
    {
        Measured.ForwardBatchFromZero(_inputs, _outputs);
        return _outputs[^1];
    }
}
