using BenchmarkDotNet.Attributes;
using RnnGen.Benchmarks.Peers;
using RnnGen.Benchmarks.Peers.Heavy;

// ONNX Runtime in the Step, Forward and Batch benchmarks (compiled only with -p:HeavyPeers=true).
namespace RnnGen.Benchmarks.ModelBenchmarks;

public partial class StepBenchmarks
{
    [GlobalSetup(Target = nameof(OnnxRuntime))]
    public void SetupOnnxRuntime() => Prepare(m => new OnnxRuntimePeer(NetworkWeights.From(m)), nameof(OnnxRuntime));

    [Benchmark(OperationsPerInvoke = Steps)]
    public float OnnxRuntime() => Run();
}

public partial class ForwardBenchmarks
{
    [GlobalSetup(Target = nameof(OnnxRuntime))]
    public void SetupOnnxRuntime() => Prepare(m => new OnnxRuntimePeer(NetworkWeights.From(m)), nameof(OnnxRuntime));

    [Benchmark]
    public float OnnxRuntime() => Run();
}

public partial class BatchBenchmarks
{
    [GlobalSetup(Target = nameof(OnnxRuntime))]
    public void SetupOnnxRuntime() => Prepare(m => new OnnxRuntimePeer(NetworkWeights.From(m)), nameof(OnnxRuntime));

    [Benchmark]
    public float OnnxRuntime() => Run();
}
