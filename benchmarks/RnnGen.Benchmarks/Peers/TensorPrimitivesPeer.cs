using System;
using System.Linq;
using System.Numerics.Tensors;
using RnnGen.Benchmarks.Models;

namespace RnnGen.Benchmarks.Peers;

/// <summary>
/// A careful run-time implementation over <see cref="TensorPrimitives"/>: shapes known at run time, each gate row a
/// <c>Dot</c> (matrix-vector product row by row), the element-wise cell updates as vector calls (<c>Sigmoid</c>, <c>Tanh</c>,
/// <c>Multiply</c>, <c>MultiplyAdd</c>), biases pre-summed where the cell allows. No allocation per step.
/// </summary>
public sealed class TensorPrimitivesPeer : Peer
{
    private readonly NetworkWeights _net;
    private readonly float[][] _bias;                     // per layer: b_ih + b_hh (GRU: only the r, z rows are summed)
    private readonly float[] _state;
    private readonly float[][] _streams;
    private readonly float[] _gates, _gatesH, _temp;
    private readonly float[] _headA, _headB;

    public TensorPrimitivesPeer(NetworkWeights net)
    {
        _net = net;
        _bias = net.Layers.Select(l =>
        {
            float[] b = (float[])l.BiasIh.Clone();
            int summed = l.Cell == CellType.Gru ? 2 * l.HiddenSize : b.Length;
            TensorPrimitives.Add(b.AsSpan(0, summed), l.BiasHh.AsSpan(0, summed), b.AsSpan(0, summed));
            return b;
        }).ToArray();
        _state = new float[net.StateLength];
        _streams = Enumerable.Range(0, Shapes.Streams).Select(_ => new float[net.StateLength]).ToArray();
        int gateRows = net.Layers.Max(l => l.Gates * l.HiddenSize);
        _gates = new float[gateRows];
        _gatesH = new float[gateRows];
        _temp = new float[net.Layers.Max(l => l.HiddenSize)];
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
        for (int l = 0; l < _net.Layers.Length; l++)
        {
            RecurrentWeights layer = _net.Layers[l];
            int H = layer.HiddenSize;
            Span<float> h = state.AsSpan(offset, H);
            switch (layer.Cell)
            {
                case CellType.Lstm:
                    Lstm(layer, _bias[l], x, h, state.AsSpan(offset + H, H));
                    offset += 2 * H;
                    break;
                case CellType.Gru:
                    Gru(layer, _bias[l], x, h);
                    offset += H;
                    break;
                default:
                    SimpleRnn(layer, _bias[l], x, h);
                    offset += H;
                    break;
            }
            x = h;
        }
        for (int d = 0; d < _net.Head.Length; d++)
        {
            DenseWeights dense = _net.Head[d];
            Span<float> y = d == _net.Head.Length - 1 ? output : (d % 2 == 0 ? _headA : _headB).AsSpan(0, dense.OutputSize);
            MatVec(dense.Weight, dense.InputSize, x, dense.Bias, y);
            x = y;
        }
        if (_net.Head.Length == 0) x.CopyTo(output);
    }

    /// <summary>y = W x + b, W row-major [y.Length, columns], one Dot per row.</summary>
    private static void MatVec(float[] weight, int columns, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y)
    {
        ReadOnlySpan<float> w = weight;
        for (int r = 0; r < y.Length; r++) y[r] = TensorPrimitives.Dot(w.Slice(r * columns, columns), x) + bias[r];
    }

    /// <summary>y = W x + V h + b.</summary>
    private static void MatVec2(RecurrentWeights layer, ReadOnlySpan<float> x, ReadOnlySpan<float> h, ReadOnlySpan<float> bias, Span<float> y)
    {
        ReadOnlySpan<float> wih = layer.WeightIh, whh = layer.WeightHh;
        int I = layer.InputSize, H = layer.HiddenSize;
        for (int r = 0; r < y.Length; r++)
            y[r] = TensorPrimitives.Dot(wih.Slice(r * I, I), x) + TensorPrimitives.Dot(whh.Slice(r * H, H), h) + bias[r];
    }

    private void Lstm(RecurrentWeights layer, float[] bias, ReadOnlySpan<float> x, Span<float> h, Span<float> c)
    {
        int H = layer.HiddenSize;
        Span<float> gates = _gates.AsSpan(0, 4 * H);
        MatVec2(layer, x, h, bias, gates);
        Span<float> i = gates.Slice(0, H), f = gates.Slice(H, H), g = gates.Slice(2 * H, H), o = gates.Slice(3 * H, H);
        TensorPrimitives.Sigmoid(gates.Slice(0, 2 * H), gates.Slice(0, 2 * H));   // i, f
        TensorPrimitives.Tanh(g, g);
        TensorPrimitives.Sigmoid(o, o);
        TensorPrimitives.Multiply(f, c, c);                                     // c = f c
        TensorPrimitives.MultiplyAdd(i, g, c, c);                               // c = i g + f c
        TensorPrimitives.Tanh(c, h);
        TensorPrimitives.Multiply(o, h, h);                                     // h = o tanh(c)
    }

    private void Gru(RecurrentWeights layer, float[] bias, ReadOnlySpan<float> x, Span<float> h)
    {
        int H = layer.HiddenSize, G = 3 * H;
        Span<float> gx = _gates.AsSpan(0, G), gh = _gatesH.AsSpan(0, G), temp = _temp.AsSpan(0, H);
        MatVec(layer.WeightIh, layer.InputSize, x, bias, gx);                  // r, z rows carry b_ih + b_hh; n rows b_in
        ReadOnlySpan<float> whh = layer.WeightHh;
        for (int r = 0; r < 2 * H; r++) gh[r] = TensorPrimitives.Dot(whh.Slice(r * H, H), h);
        for (int r = 2 * H; r < G; r++) gh[r] = TensorPrimitives.Dot(whh.Slice(r * H, H), h) + layer.BiasHh[r];
        Span<float> rz = gx.Slice(0, 2 * H);
        TensorPrimitives.Add(rz, gh.Slice(0, 2 * H), rz);
        TensorPrimitives.Sigmoid(rz, rz);
        Span<float> r0 = gx.Slice(0, H), z = gx.Slice(H, H), n = gx.Slice(2 * H, H);
        TensorPrimitives.MultiplyAdd(r0, gh.Slice(2 * H, H), n, n);            // n = W_in x + b_in + r (W_hn h + b_hn)
        TensorPrimitives.Tanh(n, n);
        TensorPrimitives.Subtract(h, n, temp);                                  // h' = n + z (h − n)
        TensorPrimitives.MultiplyAdd(z, temp, n, h);
    }

    private void SimpleRnn(RecurrentWeights layer, float[] bias, ReadOnlySpan<float> x, Span<float> h)
    {
        Span<float> pre = _gates.AsSpan(0, layer.HiddenSize);
        MatVec2(layer, x, h, bias, pre);                                        // h is read before it is written
        TensorPrimitives.Tanh(pre, h);
    }
}
