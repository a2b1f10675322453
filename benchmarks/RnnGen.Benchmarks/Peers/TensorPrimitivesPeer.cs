using System;
using System.Linq;
using System.Numerics.Tensors;

namespace RnnGen.Benchmarks.Peers;

/// <summary>
/// A careful run-time implementation over <see cref="TensorPrimitives"/>: shapes known at run time, each gate row a
/// <c>Dot</c> (matrix-vector product row by row), the element-wise cell updates as vector calls (<c>Sigmoid</c>, <c>Tanh</c>,
/// <c>Multiply</c>, <c>MultiplyAdd</c>), biases pre-summed where the cell allows. No allocation per step.
/// </summary>
public sealed class TensorPrimitivesPeer : HandWrittenPeer
{
    private readonly float[][] _bias;                     // per layer: b_ih + b_hh (GRU: only the r, z rows are summed)
    private readonly float[] _gates, _gatesH, _temp;
    private readonly float[] _headA, _headB;

    public TensorPrimitivesPeer(NetworkWeights net)
        : base(net)
    {
        _bias = net.Layers.Select(l =>
        {
            float[] b = (float[])l.BiasIh.Clone();
            int summed = l.Cell == CellType.Gru ? 2 * l.HiddenSize : b.Length;
            TensorPrimitives.Add(b.AsSpan(0, summed), l.BiasHh.AsSpan(0, summed), b.AsSpan(0, summed));
            return b;
        }).ToArray();
        int gateRows = net.Layers.Max(l => l.Gates * l.HiddenSize);
        _gates = new float[gateRows];
        _gatesH = new float[gateRows];
        _temp = new float[net.Layers.Max(l => l.HiddenSize)];
        _headA = new float[net.Widest];
        _headB = new float[net.Widest];
    }

    protected override void StepCore(float[] state, ReadOnlySpan<float> input, Span<float> output)
    {
        ReadOnlySpan<float> x = input;
        int offset = 0;
        for (int l = 0; l < Net.Layers.Length; l++)
        {
            RecurrentWeights layer = Net.Layers[l];
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
        for (int d = 0; d < Net.Head.Length; d++)
        {
            DenseWeights dense = Net.Head[d];
            Span<float> y = d == Net.Head.Length - 1 ? output : (d % 2 == 0 ? _headA : _headB).AsSpan(0, dense.OutputSize);
            MatVec(dense.Weight, dense.InputSize, x, dense.Bias, y);
            x = y;
        }
        if (Net.Head.Length == 0) x.CopyTo(output);
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
