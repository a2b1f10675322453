using System;
using System.Linq;
using System.Runtime.CompilerServices;
using RnnGen.Benchmarks.Peers;

namespace RnnGen.Benchmarks.Models;

/// <summary>
/// The memory each shape needs in RnnGen: weights, what a model instance allocates (its parameters, the packed copy
/// inference reads and its own stream's state), one stream's state, what training allocates on its first step
/// (recording buffers and gradients, measured with <see cref="GC.GetAllocatedBytesForCurrentThread"/>) and Adam's
/// moments; and the arithmetic of one step, to turn times into GFLOP/s.
/// </summary>
public static class Sizes
{
    public sealed record Row(Shape Shape, int Parameters, long WeightBytes, long InstanceBytes, int StateBytes, long TrainingBytes, long AdamBytes, long MultiplyAdds);

    public static Row Measure(Shape shape) => shape switch
    {
        Shape.A => Measure<ShapeA, ShapeA.State>(shape),
        Shape.B => Measure<ShapeB, ShapeB.State>(shape),
        Shape.C => Measure<ShapeC, ShapeC.State>(shape),
        Shape.D => Measure<ShapeD, ShapeD.State>(shape),
        Shape.E => Measure<ShapeE, ShapeE.State>(shape),
        Shape.F => Measure<ShapeF, ShapeF.State>(shape),
        _ => throw new ArgumentOutOfRangeException(nameof(shape)),
    };

    private static Row Measure<TModel, TState>(Shape shape)
        where TModel : IRecurrentModel<float>, IStreamModel<TState>, new()
        where TState : struct
    {
        _ = new TModel(); // the type's statics, once
        long before = GC.GetAllocatedBytesForCurrentThread();
        var model = new TModel();
        long instanceBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        model.InitializeParameters(Shapes.Seed);
        var workload = new Workload(model.InputSize, model.OutputSize);

        before = GC.GetAllocatedBytesForCurrentThread();
        var adam = new Adam<float>(model.Parameters.Length);
        long adamBytes = GC.GetAllocatedBytesForCurrentThread() - before;

        before = GC.GetAllocatedBytesForCurrentThread();
        model.TrainStep(workload.TrainingInputs, workload.TrainingTargets, adam, LossFunction.MeanSquaredError);
        long trainingBytes = GC.GetAllocatedBytesForCurrentThread() - before;

        NetworkWeights net = NetworkWeights.From(model);
        long multiplyAdds = net.Layers.Sum(l => (long)l.Gates * l.HiddenSize * (l.InputSize + l.HiddenSize)) + net.Head.Sum(d => (long)d.OutputSize * d.InputSize);
        return new Row(shape, model.Parameters.Length, model.Parameters.Length * (long)sizeof(float), instanceBytes, Unsafe.SizeOf<TState>(), trainingBytes, adamBytes, multiplyAdds);
    }

    /// <summary>Prints the table (Markdown) for every shape.</summary>
    public static void Print()
    {
        Console.WriteLine("| shape | model | parameters | weights | model instance | state per stream | training buffers (first TrainStep, 64 steps) | Adam moments | multiply-adds per step |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (Shape shape in Enum.GetValues<Shape>())
        {
            Row r = Measure(shape);
            Console.WriteLine($"| {shape} | {Shapes.Describe(shape)} | {r.Parameters:N0} | {Bytes(r.WeightBytes)} | {Bytes(r.InstanceBytes)} | {r.StateBytes:N0} B | {Bytes(r.TrainingBytes)} | {Bytes(r.AdamBytes)} | {r.MultiplyAdds:N0} |");
        }
        Console.WriteLine();
        Console.WriteLine("Model instance: what `new Model()` allocates: the parameters, the packed copy inference reads (rows padded to whole vectors), its own stream's state.");
        Console.WriteLine("Training buffers: everything the first TrainStep allocates (recorded trace, gradients, scratch); later steps allocate nothing.");
        Console.WriteLine("Adam moments: what `new Adam<float>(ParameterCount)` allocates. FLOPs per step = 2 × multiply-adds (+ activations).");
    }

    private static string Bytes(long bytes) => bytes switch
    {
        < 10_000 => $"{bytes:N0} B",
        < 10_000_000 => $"{bytes / 1024.0:N1} KiB",
        _ => $"{bytes / (1024.0 * 1024):N1} MiB",
    };
}
