using BenchmarkDotNet.Attributes;
using RnnGen.Benchmarks.Models;

namespace RnnGen.Benchmarks.ModelBenchmarks;

/// <summary>
/// One training step: forward over <see cref="Shapes.TrainingSteps"/> steps from a zero state, MSE against fixed
/// targets, backpropagation through time, Adam (lr 1e-3). The weights change from step to step as in real training;
/// the work per step does not. The baseline peers cannot train; TorchSharp can (Peers/Heavy, when it loads).
/// </summary>
[BenchmarkCategory("Training")]
[MemoryDiagnoser]
public partial class TrainingBenchmarks : ModelBenchmark
{
    private IRecurrentModel<float> _model = null!;
    private Adam<float> _adam = null!;

    [GlobalSetup(Target = nameof(RnnGen))]
    public void SetupRnnGen()
    {
        Setup(null, nameof(RnnGen));
        _model = Shapes.CreateModel(Shape);
        _adam = new Adam<float>(_model.Parameters.Length, learningRate: 1e-3);
        RnnGen(); // the first call allocates the training buffers; steady state is what is measured
    }

    [GlobalCleanup]
    public void TearDown() => Cleanup();

    [Benchmark(Baseline = true)]
    public float RnnGen()
    {
        _model.ResetState();
        return _model.TrainStep(Workload.TrainingInputs, Workload.TrainingTargets, _adam, LossFunction.MeanSquaredError);
    }
}
