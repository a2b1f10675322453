using System;
using System.Collections.Generic;
using RnnGen.Benchmarks.Models;
using RnnGen.Benchmarks.Peers;

namespace RnnGen.Benchmarks.ModelBenchmarks;

/// <summary>
/// What the four model benchmark classes share: the shape as a parameter (so BenchmarkDotNet computes the ratios to
/// RnnGen within each shape), the workload, and peers built and checked against RnnGen in GlobalSetup.
/// </summary>
public abstract class ModelBenchmark
{
    /// <summary>The shapes to run: all, or those of <c>--shapes</c> (Program.cs).</summary>
    public static IEnumerable<Shape> ShapesToRun => BenchmarkSettings.Shapes;

    [BenchmarkDotNet.Attributes.ParamsSource(nameof(ShapesToRun))]
    public Shape Shape { get; set; }

    protected Workload Workload { get; private set; } = null!;

    /// <summary>RnnGen, the baseline.</summary>
    protected Peer Reference { get; private set; } = null!;

    /// <summary>The peer the current benchmark measures (RnnGen itself for the baseline).</summary>
    protected Peer Measured { get; private set; } = null!;

    private readonly List<IDisposable> _owned = [];

    /// <summary>Builds RnnGen and <paramref name="create"/>'s peer for <see cref="Shape"/>, and checks the peer.</summary>
    protected void Setup(Func<IRecurrentModel<float>, Peer>? create, string name)
    {
        Reference = Shapes.CreateRnnGen(Shape);
        Workload = new Workload(Reference.InputSize, Reference.OutputSize);
        _owned.Add(Reference);
        if (create is null)
        {
            Measured = Reference;
            return;
        }
        IRecurrentModel<float> model = Shapes.CreateModel(Shape);
        Measured = create(model);
        _owned.Add(Measured);
        float worst = PeerCheck.Verify(name, Reference, Measured, Workload);
        Console.WriteLine($"// {name} on shape {Shape} ({Shapes.Describe(Shape)}): matches RnnGen, max abs difference {worst:e2}");
    }

    protected void Cleanup()
    {
        foreach (IDisposable item in _owned) item.Dispose();
        _owned.Clear();
    }

    protected static Peer CreateScalar(IRecurrentModel<float> model) => new ScalarPeer(NetworkWeights.From(model));

    protected static Peer CreateTensorPrimitives(IRecurrentModel<float> model) => new TensorPrimitivesPeer(NetworkWeights.From(model));
}
