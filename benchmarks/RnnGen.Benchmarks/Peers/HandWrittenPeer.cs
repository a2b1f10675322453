using System;
using System.Linq;
using RnnGen.Benchmarks.Models;

namespace RnnGen.Benchmarks.Peers;

/// <summary>
/// The part the two hand-written C# peers share: the state as one <c>float[]</c> per stream (per layer h, and c for
/// LSTM), and Step, Forward and the batch as loops over one <see cref="StepCore"/>, which each peer writes its own way.
/// </summary>
public abstract class HandWrittenPeer : Peer
{
    private readonly float[] _state;                      // the streaming state
    private readonly float[][] _streams;                  // one state per batch stream

    protected HandWrittenPeer(NetworkWeights net)
    {
        Net = net;
        _state = new float[net.StateLength];
        _streams = Enumerable.Range(0, Shapes.Streams).Select(_ => new float[net.StateLength]).ToArray();
    }

    protected NetworkWeights Net { get; }

    public override int InputSize => Net.InputSize;

    public override int OutputSize => Net.OutputSize;

    public override void ResetState() => Array.Clear(_state);

    public override void Step(ReadOnlySpan<float> input, Span<float> output) => StepCore(_state, input, output);

    public override void ForwardFromZero(ReadOnlySpan<float> inputs, Span<float> outputs)
    {
        Array.Clear(_state);
        int steps = inputs.Length / InputSize;
        for (int t = 0; t < steps; t++)
            StepCore(_state, inputs.Slice(t * InputSize, InputSize), outputs.Slice(t * OutputSize, OutputSize));
    }

    public override void ForwardBatchFromZero(ReadOnlySpan<float> inputs, Span<float> outputs)
    {
        int steps = inputs.Length / (InputSize * _streams.Length);
        for (int s = 0; s < _streams.Length; s++)
        {
            float[] state = _streams[s];
            Array.Clear(state);
            for (int t = 0; t < steps; t++)
            {
                int row = s * steps + t;
                StepCore(state, inputs.Slice(row * InputSize, InputSize), outputs.Slice(row * OutputSize, OutputSize));
            }
        }
    }

    /// <summary>One step of the whole network from <paramref name="state"/>, which it updates.</summary>
    protected abstract void StepCore(float[] state, ReadOnlySpan<float> input, Span<float> output);
}
