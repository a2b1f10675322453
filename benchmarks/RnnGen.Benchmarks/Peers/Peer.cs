using System;
using RnnGen.Benchmarks.Models;

namespace RnnGen.Benchmarks.Peers;

/// <summary>
/// One implementation of a shape's network, as the benchmarks drive it. Every peer takes RnnGen's weights and is
/// checked against RnnGen's outputs (<see cref="PeerCheck"/>) before it is measured. None allocates per call.
/// </summary>
public abstract class Peer : IDisposable
{
    /// <summary>Input features per step.</summary>
    public abstract int InputSize { get; }

    /// <summary>Outputs per step.</summary>
    public abstract int OutputSize { get; }

    /// <summary>Sets the streaming state (the one <see cref="Step"/> carries) to zero.</summary>
    public abstract void ResetState();

    /// <summary>One step from the streaming state, which it updates.</summary>
    public abstract void Step(ReadOnlySpan<float> input, Span<float> output);

    /// <summary><c>inputs.Length / InputSize</c> steps from a zero state ([steps, InputSize] → [steps, OutputSize]).</summary>
    public abstract void ForwardFromZero(ReadOnlySpan<float> inputs, Span<float> outputs);

    /// <summary>The layout <see cref="ForwardBatchFromZero"/> takes and writes.</summary>
    public virtual BatchLayout BatchLayout => BatchLayout.StreamMajor;

    /// <summary><see cref="Shapes.Streams"/> independent streams, each from a zero state, in <see cref="BatchLayout"/>.</summary>
    public abstract void ForwardBatchFromZero(ReadOnlySpan<float> inputs, Span<float> outputs);

    public virtual void Dispose() => GC.SuppressFinalize(this);
}
