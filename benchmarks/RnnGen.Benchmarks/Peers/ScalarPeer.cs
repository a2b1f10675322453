using System;
using System.Linq;
using RnnGen.Benchmarks.Models;

namespace RnnGen.Benchmarks.Peers;

/// <summary>
/// What a user writes by hand: plain loops over <c>float[]</c> in PyTorch layout, shapes known at run time, one
/// multiply-add at a time, <see cref="MathF"/> for the activations. No allocation per step.
/// </summary>
public sealed class ScalarPeer : Peer
{
    private readonly NetworkWeights _net;
    private readonly float[] _state;                      // the streaming state: per layer h (and c for LSTM)
    private readonly float[][] _streams;                  // one state per batch stream
    private readonly float[] _gatesX, _gatesH;            // W_ih x + b_ih and W_hh h + b_hh of one layer
    private readonly float[] _headA, _headB;              // Dense layer outputs

    public ScalarPeer(NetworkWeights net)
    {
        _net = net;
        _state = new float[net.StateLength];
        _streams = Enumerable.Range(0, Shapes.Streams).Select(_ => new float[net.StateLength]).ToArray();
        int gateRows = net.Layers.Max(l => l.Gates * l.HiddenSize);
        _gatesX = new float[gateRows];
        _gatesH = new float[gateRows];
        _headA = new float[net.Widest];
        _headB = new float[net.Widest];
    }

    public override int InputSize => _net.InputSize;

    public override int OutputSize => _net.OutputSize;

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

    private void StepCore(float[] state, ReadOnlySpan<float> input, Span<float> output)
    {
        ReadOnlySpan<float> x = input;
        int offset = 0;
        foreach (RecurrentWeights layer in _net.Layers)
        {
            int H = layer.HiddenSize;
            Span<float> h = state.AsSpan(offset, H);
            switch (layer.Cell)
            {
                case CellType.Lstm:
                    Lstm(layer, x, h, state.AsSpan(offset + H, H));
                    offset += 2 * H;
                    break;
                case CellType.Gru:
                    Gru(layer, x, h);
                    offset += H;
                    break;
                default:
                    SimpleRnn(layer, x, h);
                    offset += H;
                    break;
            }
            x = h;
        }
        for (int d = 0; d < _net.Head.Length; d++)
        {
            DenseWeights dense = _net.Head[d];
            Span<float> y = d == _net.Head.Length - 1 ? output : (d % 2 == 0 ? _headA : _headB).AsSpan(0, dense.OutputSize);
            for (int o = 0; o < dense.OutputSize; o++)
            {
                float sum = dense.Bias[o];
                for (int k = 0; k < dense.InputSize; k++) sum += dense.Weight[o * dense.InputSize + k] * x[k];
                y[o] = sum;
            }
            x = y;
        }
        if (_net.Head.Length == 0) x.CopyTo(output);
    }

    // gx = W_ih x + b_ih, gh = W_hh h + b_hh over all G·H gate rows.
    private void Gates(RecurrentWeights layer, ReadOnlySpan<float> x, ReadOnlySpan<float> h)
    {
        int rows = layer.Gates * layer.HiddenSize, I = layer.InputSize, H = layer.HiddenSize;
        float[] wih = layer.WeightIh, whh = layer.WeightHh;
        for (int r = 0; r < rows; r++)
        {
            float sx = layer.BiasIh[r];
            for (int k = 0; k < I; k++) sx += wih[r * I + k] * x[k];
            float sh = layer.BiasHh[r];
            for (int k = 0; k < H; k++) sh += whh[r * H + k] * h[k];
            _gatesX[r] = sx;
            _gatesH[r] = sh;
        }
    }

    private static float Sigmoid(float v) => 1f / (1f + MathF.Exp(-v));

    // i, f, g, o = σ, σ, tanh, σ of the gate rows [i, f, g, o]; c' = f c + i g; h' = o tanh(c').
    private void Lstm(RecurrentWeights layer, ReadOnlySpan<float> x, Span<float> h, Span<float> c)
    {
        Gates(layer, x, h);
        int H = layer.HiddenSize;
        for (int j = 0; j < H; j++)
        {
            float i = Sigmoid(_gatesX[j] + _gatesH[j]);
            float f = Sigmoid(_gatesX[H + j] + _gatesH[H + j]);
            float g = MathF.Tanh(_gatesX[2 * H + j] + _gatesH[2 * H + j]);
            float o = Sigmoid(_gatesX[3 * H + j] + _gatesH[3 * H + j]);
            c[j] = f * c[j] + i * g;
            h[j] = o * MathF.Tanh(c[j]);
        }
    }

    // PyTorch's GRU, rows [r, z, n]: n = tanh(W_in x + b_in + r (W_hn h + b_hn)); h' = (1 − z) n + z h.
    private void Gru(RecurrentWeights layer, ReadOnlySpan<float> x, Span<float> h)
    {
        Gates(layer, x, h);
        int H = layer.HiddenSize;
        for (int j = 0; j < H; j++)
        {
            float r = Sigmoid(_gatesX[j] + _gatesH[j]);
            float z = Sigmoid(_gatesX[H + j] + _gatesH[H + j]);
            float n = MathF.Tanh(_gatesX[2 * H + j] + r * _gatesH[2 * H + j]);
            h[j] = (1 - z) * n + z * h[j];
        }
    }

    // h' = tanh(W_ih x + b_ih + W_hh h + b_hh).
    private void SimpleRnn(RecurrentWeights layer, ReadOnlySpan<float> x, Span<float> h)
    {
        Gates(layer, x, h);
        for (int j = 0; j < layer.HiddenSize; j++) h[j] = MathF.Tanh(_gatesX[j] + _gatesH[j]);
    }
}
