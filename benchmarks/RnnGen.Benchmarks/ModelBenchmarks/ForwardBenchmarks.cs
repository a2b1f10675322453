using System;
using BenchmarkDotNet.Attributes;
using RnnGen.Benchmarks.Models;

namespace RnnGen.Benchmarks.ModelBenchmarks;

/// <summary>A whole sequence of <see cref="Shapes.SequenceSteps"/> steps from a zero state, batch 1.</summary>
[BenchmarkCategory("Forward")]
[MemoryDiagnoser]
public partial class ForwardBenchmarks : ModelBenchmark
{
    private float[] _outputs = null!;

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
        _outputs = new float[Shapes.SequenceSteps * Measured.OutputSize];
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
        Measured.ForwardFromZero(Workload.Sequence, _outputs);
        return _outputs[^1];
    }
}
