using System;
using System.ComponentModel;
using System.Numerics;

namespace RnnGen;

/// <summary>How weight matrices are drawn by <c>InitializeParameters</c>.</summary>
public enum WeightInitialization
{
    /// <summary>PyTorch's default: uniform in ±1/√H for recurrent tensors, ±1/√in for Dense weights.</summary>
    PyTorchDefault = 0,

    /// <summary>Glorot/Xavier uniform: ±√(6 / (fan_in + fan_out)) over the whole tensor, as <c>xavier_uniform_</c>.</summary>
    XavierUniform = 1,

    /// <summary>Recurrent weights only: each gate's [H, H] block an orthogonal matrix (QR of a Gaussian matrix).</summary>
    Orthogonal = 2,
}

/// <summary>Choices for <c>InitializeParameters</c>; the defaults reproduce PyTorch's initialization scheme.</summary>
public sealed record InitializationOptions
{
    /// <summary>Input weights (<c>weight_ih</c>) and Dense weights: <see cref="WeightInitialization.PyTorchDefault"/> or <see cref="WeightInitialization.XavierUniform"/>.</summary>
    public WeightInitialization InputWeights { get; init; } = WeightInitialization.PyTorchDefault;

    /// <summary>Recurrent weights (<c>weight_hh</c>): any of the three.</summary>
    public WeightInitialization RecurrentWeights { get; init; } = WeightInitialization.PyTorchDefault;

    /// <summary>Set every recurrent-layer bias to zero instead of drawing it.</summary>
    public bool ZeroRecurrentBiases { get; init; }

    /// <summary>
    /// If set, the LSTM forget gate's total bias (<c>b_if + b_hf</c>) starts at this value (1 is the classic choice):
    /// <c>bias_ih</c>'s forget rows get it and <c>bias_hh</c>'s forget rows get 0.
    /// </summary>
    public double? LstmForgetGateBias { get; init; }
}

/// <summary>
/// Draws initial parameters from a seed with SplitMix64, a generator fully specified here, so the same seed gives the same
/// weights on every machine and .NET version. Used by generated <c>InitializeParameters</c>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public sealed class ParameterInitializer
{
    private readonly InitializationOptions _options;
    private ulong _state;

    /// <summary>A generator seeded with <paramref name="seed"/>.</summary>
    public ParameterInitializer(int seed, InitializationOptions? options = null)
    {
        _state = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + 0x2545F4914F6CDD1DUL);
        _options = options ?? new InitializationOptions();
    }

    /// <summary>A recurrent layer's <c>weight_ih</c> or <c>weight_hh</c>, <c>[gates·hidden, columns]</c>.</summary>
    public void RecurrentWeights<T>(Span<T> values, int gates, int hidden, int columns, bool recurrent)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        WeightInitialization kind = recurrent ? _options.RecurrentWeights : _options.InputWeights;
        switch (kind)
        {
            case WeightInitialization.XavierUniform:
                Uniform(values, Math.Sqrt(6.0 / (columns + gates * hidden)));
                break;
            case WeightInitialization.Orthogonal when recurrent:
                for (int g = 0; g < gates; g++) Orthogonal(values.Slice(g * hidden * hidden, hidden * hidden), hidden);
                break;
            case WeightInitialization.Orthogonal:
                throw new ArgumentException("Orthogonal initialization applies to recurrent weights only.", nameof(InitializationOptions.InputWeights));
            default:
                Uniform(values, 1 / Math.Sqrt(hidden));
                break;
        }
    }

    /// <summary>A recurrent layer's bias; <paramref name="forgetGate"/> is the forget gate's index among the gates, or −1.</summary>
    public void RecurrentBias<T>(Span<T> values, int hidden, int forgetGate, bool inputBias)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (_options.ZeroRecurrentBiases) values.Clear();
        else Uniform(values, 1 / Math.Sqrt(hidden));
        if (forgetGate >= 0 && _options.LstmForgetGateBias is double forget)
            values.Slice(forgetGate * hidden, hidden).Fill(inputBias ? T.CreateChecked(forget) : T.Zero);
    }

    /// <summary>A Dense layer's weight <c>[outputs, inputs]</c>: PyTorch's kaiming-uniform(a = √5), i.e. ±1/√inputs, or Xavier.</summary>
    public void DenseWeights<T>(Span<T> values, int outputs, int inputs) where T : unmanaged, IFloatingPointIeee754<T> =>
        Uniform(values, _options.InputWeights == WeightInitialization.XavierUniform ? Math.Sqrt(6.0 / (inputs + outputs)) : 1 / Math.Sqrt(inputs));

    /// <summary>A Dense layer's bias: uniform in ±1/√inputs, as PyTorch.</summary>
    public void DenseBias<T>(Span<T> values, int inputs) where T : unmanaged, IFloatingPointIeee754<T> =>
        Uniform(values, 1 / Math.Sqrt(inputs));

    /// <summary>An embedding's weight: standard normal, as PyTorch's <c>nn.Embedding</c>.</summary>
    public void EmbeddingWeights<T>(Span<T> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++) values[i] = T.CreateChecked(NextGaussian());
    }

    /// <summary>The next value of SplitMix64, uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    private ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private void Uniform<T>(Span<T> values, double bound) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++) values[i] = T.CreateChecked((2 * NextDouble() - 1) * bound);
    }

    private double NextGaussian()
    {
        // Box–Muller; 1 − u keeps the logarithm finite.
        double u = 1 - NextDouble(), v = NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }

    /// <summary>An orthogonal n×n matrix: Gram–Schmidt (twice, for stability) on the rows of a Gaussian matrix.</summary>
    private void Orthogonal<T>(Span<T> values, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var q = new double[n * n];
        for (int i = 0; i < q.Length; i++) q[i] = NextGaussian();
        for (int row = 0; row < n; row++)
        {
            Span<double> r = q.AsSpan(row * n, n);
            for (int pass = 0; pass < 2; pass++)
                for (int previous = 0; previous < row; previous++)
                {
                    ReadOnlySpan<double> p = q.AsSpan(previous * n, n);
                    double dot = 0;
                    for (int k = 0; k < n; k++) dot += r[k] * p[k];
                    for (int k = 0; k < n; k++) r[k] -= dot * p[k];
                }
            double norm = 0;
            for (int k = 0; k < n; k++) norm += r[k] * r[k];
            norm = Math.Sqrt(norm);
            for (int k = 0; k < n; k++) r[k] /= norm;
        }
        for (int i = 0; i < q.Length; i++) values[i] = T.CreateChecked(q[i]);
    }
}
