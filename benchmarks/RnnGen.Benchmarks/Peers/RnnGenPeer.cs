using System;
using RnnGen.Benchmarks.Models;

namespace RnnGen.Benchmarks.Peers;

/// <summary>
/// The per-stream members every generated model has, named so one generic peer can drive all six shapes; the
/// generated classes implement it with the members they already have (Models/Shapes.cs declares it on each).
/// </summary>
public interface IStreamModel<TState> where TState : struct
{
    void Step(ref TState state, ReadOnlySpan<float> input, Span<float> output);

    void Forward(ref TState state, ReadOnlySpan<float> inputs, Span<float> outputs);

    void ForwardBatch(Span<TState> states, ReadOnlySpan<float> inputs, Span<float> outputs);
}

/// <summary>RnnGen's generated model, the baseline of every benchmark.</summary>
public sealed class RnnGenPeer<TModel, TState> : Peer
    where TModel : IRecurrentModel<float>, IStreamModel<TState>, new()
    where TState : struct
{
    private readonly TState[] _streams = new TState[Shapes.Streams];
    private TState _state;

    public RnnGenPeer()
    {
        Model = new TModel();
        Model.InitializeParameters(Shapes.Seed);
    }

    public TModel Model { get; }

    /// <summary>Bytes of one stream's <c>State</c> value.</summary>
    public static int StateBytes => System.Runtime.CompilerServices.Unsafe.SizeOf<TState>();

    public override int InputSize => Model.InputSize;

    public override int OutputSize => Model.OutputSize;

    public override void ResetState() => _state = default;

    public override void Step(ReadOnlySpan<float> input, Span<float> output) => Model.Step(ref _state, input, output);

    public override void ForwardFromZero(ReadOnlySpan<float> inputs, Span<float> outputs)
    {
        _state = default;
        Model.Forward(ref _state, inputs, outputs);
    }

    // ── The batch call: ForwardBatch on time-major [steps, streams, InputSize] input (the rows of a tile, steps of
    //    several streams, share each weight load of the input projections). PeerCheck compares the results with the
    //    other peers in either layout. ──
    public override BatchLayout BatchLayout => BatchLayout.TimeMajor;

    private void RunBatch(Span<TState> states, ReadOnlySpan<float> inputs, Span<float> outputs) =>
        Model.ForwardBatch(states, inputs, outputs);

    public override void ForwardBatchFromZero(ReadOnlySpan<float> inputs, Span<float> outputs)
    {
        Array.Clear(_streams);
        RunBatch(_streams, inputs, outputs);
    }
}
