using BenchmarkDotNet.Attributes;
using RnnGen.Benchmarks.Models;
using RnnGen.Benchmarks.Peers;
using RnnGen.Benchmarks.Peers.Heavy;

// TorchSharp in the Step, Forward, Batch and Training benchmarks (compiled only with -p:HeavyPeers=true).
namespace RnnGen.Benchmarks.ModelBenchmarks;

public partial class StepBenchmarks
{
    [GlobalSetup(Target = nameof(TorchSharp))]
    public void SetupTorchSharp() => Prepare(m => new TorchSharpPeer(NetworkWeights.From(m)), nameof(TorchSharp));

    [Benchmark(OperationsPerInvoke = Steps)]
    public float TorchSharp() => Run();
}

public partial class ForwardBenchmarks
{
    [GlobalSetup(Target = nameof(TorchSharp))]
    public void SetupTorchSharp() => Prepare(m => new TorchSharpPeer(NetworkWeights.From(m)), nameof(TorchSharp));

    [Benchmark]
    public float TorchSharp() => Run();
}

public partial class BatchBenchmarks
{
    [GlobalSetup(Target = nameof(TorchSharp))]
    public void SetupTorchSharp() => Prepare(m => new TorchSharpPeer(NetworkWeights.From(m)), nameof(TorchSharp));

    [Benchmark]
    public float TorchSharp() => Run();
}

public partial class TrainingBenchmarks
{
    private TorchSharpTrainer _torch = null!;

    [GlobalSetup(Target = nameof(TorchSharp))]
    public void SetupTorchSharp()
    {
        Setup(null, nameof(TorchSharp));
        IRecurrentModel<float> model = Shapes.CreateModel(Shape);
        float worst = TorchSharpTrainer.Verify(model, Workload.TrainingInputs, Workload.TrainingTargets);
        System.Console.WriteLine($"// TorchSharp training on shape {Shape}: loss and gradients match RnnGen, max abs gradient difference {worst:e2}");
        _torch = new TorchSharpTrainer(NetworkWeights.From(model), Workload.TrainingInputs, Workload.TrainingTargets);
        _torch.TrainStep();
    }

    [Benchmark]
    public float TorchSharp() => _torch.TrainStep();
}
