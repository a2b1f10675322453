using System;
using System.Collections.Generic;
using RnnGen.Benchmarks.Models;
using RnnGen.Benchmarks.Peers;

namespace RnnGen.Benchmarks;

/// <summary>
/// `check`: every peer of this build against RnnGen on every shape (what each benchmark's GlobalSetup does for its
/// own peer), and the bytes each one allocates per streaming step and per 128-step sequence after warm-up.
/// </summary>
public static class Check
{
    public static bool Run(IReadOnlyList<Shape> shapes)
    {
        bool ok = true;
        Console.WriteLine($"Max abs difference to RnnGen (tolerance {PeerCheck.Tolerance}): {PeerCheck.StreamingSteps} streaming steps, a {Shapes.SequenceSteps}-step sequence, {Shapes.Streams} streams × {Shapes.SequenceSteps} steps.");
        Console.WriteLine();
        Console.WriteLine("| shape | peer | max abs difference | bytes allocated per step | per sequence | per batch |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|");
        foreach (Shape shape in shapes)
        {
            using Peer reference = Shapes.CreateRnnGen(shape);
            var workload = new Workload(reference.InputSize, reference.OutputSize);
            Console.WriteLine($"| {shape} | RnnGen | – | {Allocations(reference, workload)} |");
            foreach (var (name, create) in PeerCatalog.All)
            {
                Peer? peer = null;
                try
                {
                    peer = create(Shapes.CreateModel(shape));
                    float worst = PeerCheck.Verify(name, reference, peer, workload);
                    Console.WriteLine($"| {shape} | {name} | {worst:e2} | {Allocations(peer, workload)} |");
                }
                catch (Exception e)
                {
                    ok = false;
                    Console.WriteLine($"| {shape} | {name} | FAILED: {e.GetType().Name}: {e.Message.Replace('\n', ' ')} | | | |");
                }
                finally
                {
                    peer?.Dispose();
                }
            }
#if HEAVY_PEERS
            try
            {
                float worst = Peers.Heavy.TorchSharpTrainer.Verify(Shapes.CreateModel(shape), workload.TrainingInputs, workload.TrainingTargets);
                Console.WriteLine($"| {shape} | TorchSharp training (loss, gradients) | {worst:e2} | | | |");
            }
            catch (Exception e)
            {
                ok = false;
                Console.WriteLine($"| {shape} | TorchSharp training | FAILED: {e.GetType().Name}: {e.Message.Replace('\n', ' ')} | | | |");
            }
#endif
        }
        return ok;
    }

    private static string Allocations(Peer peer, Workload workload)
    {
        float[] output = new float[peer.OutputSize];
        float[] outputs = new float[Shapes.SequenceSteps * peer.OutputSize];
        float[] batch = new float[Shapes.Streams * Shapes.SequenceSteps * peer.OutputSize];
        float[] batchInputs = workload.BatchInputs(peer.BatchLayout);
        int I = peer.InputSize;
        void Steps()
        {
            for (int t = 0; t < 100; t++) peer.Step(workload.Ring.AsSpan(t * I, I), output);
        }
        Steps();
        peer.ForwardFromZero(workload.Sequence, outputs);
        peer.ForwardBatchFromZero(batchInputs, batch);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Steps();
        long step = (GC.GetAllocatedBytesForCurrentThread() - before) / 100;
        before = GC.GetAllocatedBytesForCurrentThread();
        peer.ForwardFromZero(workload.Sequence, outputs);
        long sequence = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        peer.ForwardBatchFromZero(batchInputs, batch);
        long all = GC.GetAllocatedBytesForCurrentThread() - before;
        return $"{step:N0} | {sequence:N0} | {all:N0}";
    }
}
