using System;
using System.Linq;

namespace RnnGen.Benchmarks.Peers;

/// <summary>
/// What a user writes by hand: plain loops over <c>float[]</c> in PyTorch layout, shapes known at run time, one
/// multiply-add at a time, <see cref="MathF"/> for the activations. No allocation per step.
/// </summary>
public sealed class ScalarPeer : HandWrittenPeer
{
    private readonly float[] _gatesX, _gatesH;            // W_ih x + b_ih and W_hh h + b_hh of one layer
    private readonly float[] _headA, _headB;              // Dense layer outputs

    public ScalarPeer(NetworkWeights net)
        : base(net)
    {
        int gateRows = net.Layers.Max(l => l.Gates * l.HiddenSize);
        _gatesX = new float[gateRows];
        _gatesH = new float[gateRows];
        _headA = new float[net.Widest];
        _headB = new float[net.Widest];
    }

    protected override void StepCore(float[] state, ReadOnlySpan<float> input, Span<float> output)
    {
        ReadOnlySpan<float> x = input;
        int offset = 0;
        foreach (RecurrentWeights layer in Net.Layers)
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
        for (int d = 0; d < Net.Head.Length; d++)
        {
            DenseWeights dense = Net.Head[d];
            Span<float> y = d == Net.Head.Length - 1 ? output : (d % 2 == 0 ? _headA : _headB).AsSpan(0, dense.OutputSize);
            for (int o = 0; o < dense.OutputSize; o++)
            {
                float sum = dense.Bias[o];
                for (int k = 0; k < dense.InputSize; k++) sum += dense.Weight[o * dense.InputSize + k] * x[k];
                y[o] = sum;
            }
            x = y;
        }
        if (Net.Head.Length == 0) x.CopyTo(output);
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
