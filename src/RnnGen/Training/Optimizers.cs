using System;
using System.Numerics;

namespace RnnGen;

/// <summary>Updates parameters from their gradients; its state (moments, momentum) is allocated once, at construction.</summary>
public interface IOptimizer<T> where T : unmanaged
{
    /// <summary>The step size; may change between steps (learning-rate schedules).</summary>
    T LearningRate { get; set; }

    /// <summary>Number of completed steps.</summary>
    long Steps { get; }

    /// <summary>One update of <paramref name="parameters"/> from <paramref name="gradients"/> (same lengths as at construction).</summary>
    void Step(Span<T> parameters, ReadOnlySpan<T> gradients);
}

/// <summary>Shared checks and step counting.</summary>
public abstract class Optimizer<T> : IOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates an optimizer for <paramref name="parameterCount"/> parameters.</summary>
    protected Optimizer(int parameterCount, T learningRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        if (!(learningRate >= T.Zero)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be ≥ 0.");
        ParameterCount = parameterCount;
        LearningRate = learningRate;
    }

    /// <summary>Number of parameters this optimizer updates.</summary>
    public int ParameterCount { get; }

    /// <inheritdoc/>
    public T LearningRate { get; set; }

    /// <inheritdoc/>
    public long Steps { get; private set; }

    /// <inheritdoc/>
    public void Step(Span<T> parameters, ReadOnlySpan<T> gradients)
    {
        if (parameters.Length != ParameterCount)
            throw new ArgumentException($"parameters has length {parameters.Length}, expected {ParameterCount}.", nameof(parameters));
        if (gradients.Length != ParameterCount)
            throw new ArgumentException($"gradients has length {gradients.Length}, expected {ParameterCount}.", nameof(gradients));
        Steps++;
        Update(parameters, gradients, Steps);
    }

    /// <summary>The update itself; <paramref name="step"/> counts from 1.</summary>
    protected abstract void Update(Span<T> parameters, ReadOnlySpan<T> gradients, long step);
}

/// <summary>
/// Stochastic gradient descent as <c>torch.optim.SGD</c>: g ← g + λθ; with momentum μ, b ← g on the first step and
/// b ← μb + (1 − τ)g after; g ← g + μb (Nesterov) or g ← b; θ ← θ − lr·g.
/// </summary>
public sealed class Sgd<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _momentum;

    /// <summary>SGD with PyTorch's defaults for everything but the learning rate (which PyTorch requires too).</summary>
    public Sgd(int parameterCount, T learningRate, T momentum = default, T dampening = default, T weightDecay = default, bool nesterov = false)
        : base(parameterCount, learningRate)
    {
        if (nesterov && (momentum <= T.Zero || dampening != T.Zero))
            throw new ArgumentException("Nesterov momentum requires a positive momentum and zero dampening (as PyTorch).", nameof(nesterov));
        Momentum = momentum;
        Dampening = dampening;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
        _momentum = momentum != T.Zero ? new T[parameterCount] : [];
    }

    /// <summary>μ.</summary>
    public T Momentum { get; }

    /// <summary>τ.</summary>
    public T Dampening { get; }

    /// <summary>λ (L2 penalty added to the gradient).</summary>
    public T WeightDecay { get; }

    /// <summary>Whether the Nesterov form is used.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    protected override void Update(Span<T> parameters, ReadOnlySpan<T> gradients, long step)
    {
        T lr = LearningRate;
        for (int i = 0; i < parameters.Length; i++)
        {
            T g = gradients[i];
            if (WeightDecay != T.Zero) g += WeightDecay * parameters[i];
            if (Momentum != T.Zero)
            {
                T b = step == 1 ? g : Momentum * _momentum[i] + (T.One - Dampening) * g;
                _momentum[i] = b;
                g = Nesterov ? g + Momentum * b : b;
            }
            parameters[i] -= lr * g;
        }
    }
}

/// <summary>
/// Adam as <c>torch.optim.Adam</c> (and, with decoupled weight decay, AdamW): m ← β₁m + (1 − β₁)g,
/// v ← β₂v + (1 − β₂)g², θ ← θ − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε). Adam adds λθ to g; AdamW first
/// multiplies θ by (1 − lr·λ). The scalar factors are computed in double, as PyTorch computes them in Python.
/// </summary>
public class Adam<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly AlignedBuffer<T> _first; // cache-line aligned, like the parameters and gradients the generated models keep
    private readonly AlignedBuffer<T> _second;
    private readonly bool _decoupled;

    /// <summary>Adam with PyTorch's defaults: lr 1e-3, β (0.9, 0.999), ε 1e-8, no weight decay.</summary>
    public Adam(int parameterCount, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0)
        : this(parameterCount, learningRate, beta1, beta2, epsilon, weightDecay, decoupled: false) { }

    private protected Adam(int parameterCount, double learningRate, double beta1, double beta2, double epsilon, double weightDecay, bool decoupled)
        : base(parameterCount, T.CreateChecked(learningRate))
    {
        if (beta1 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "β₁ must be in [0, 1).");
        if (beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "β₂ must be in [0, 1).");
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        _decoupled = decoupled;
        _first = new AlignedBuffer<T>(parameterCount);
        _second = new AlignedBuffer<T>(parameterCount);
    }

    /// <summary>β₁.</summary>
    public double Beta1 { get; }

    /// <summary>β₂.</summary>
    public double Beta2 { get; }

    /// <summary>ε.</summary>
    public double Epsilon { get; }

    /// <summary>λ: added to the gradient (Adam) or decoupled (AdamW).</summary>
    public double WeightDecay { get; }

    /// <inheritdoc/>
    protected override void Update(Span<T> parameters, ReadOnlySpan<T> gradients, long step)
    {
        double lr = double.CreateChecked(LearningRate);
        T beta1 = T.CreateChecked(Beta1), beta2 = T.CreateChecked(Beta2);
        T oneMinusBeta1 = T.CreateChecked(1 - Beta1), oneMinusBeta2 = T.CreateChecked(1 - Beta2);
        T stepSize = T.CreateChecked(lr / (1 - Math.Pow(Beta1, step)));
        T correction2Sqrt = T.CreateChecked(Math.Sqrt(1 - Math.Pow(Beta2, step)));
        T epsilon = T.CreateChecked(Epsilon);
        T decay = T.CreateChecked(WeightDecay);
        T shrink = T.CreateChecked(1 - lr * WeightDecay);
        T negativeStep = -stepSize;
        int i = 0;
        Span<T> first = _first.Span, second = _second.Span;
        if (Vector.IsHardwareAccelerated)
        {
            // The same operations in the same order as the scalar loop below, lane by lane: the same bits.
            for (; i + Vector<T>.Count <= parameters.Length; i += Vector<T>.Count)
            {
                var g = new Vector<T>(gradients.Slice(i));
                var p = new Vector<T>(parameters.Slice(i));
                if (_decoupled) p *= shrink;
                else if (WeightDecay != 0) g += decay * p;
                Vector<T> m = new Vector<T>(first.Slice(i)) * beta1 + oneMinusBeta1 * g;
                Vector<T> v = new Vector<T>(second.Slice(i)) * beta2 + oneMinusBeta2 * (g * g);
                m.CopyTo(first.Slice(i));
                v.CopyTo(second.Slice(i));
                Vector<T> denominator = Vector.SquareRoot(v) / correction2Sqrt + new Vector<T>(epsilon);
                (p + negativeStep * (m / denominator)).CopyTo(parameters.Slice(i));
            }
        }
        for (; i < parameters.Length; i++)
        {
            T g = gradients[i];
            if (_decoupled) parameters[i] *= shrink;
            else if (WeightDecay != 0) g += decay * parameters[i];
            T m = first[i] = first[i] * beta1 + oneMinusBeta1 * g;
            T v = second[i] = second[i] * beta2 + oneMinusBeta2 * (g * g);
            T denominator = T.Sqrt(v) / correction2Sqrt + epsilon;
            parameters[i] += negativeStep * (m / denominator);
        }
    }
}

/// <summary>AdamW as <c>torch.optim.AdamW</c>: Adam with decoupled weight decay θ ← θ(1 − lr·λ), default λ = 0.01.</summary>
public sealed class AdamW<T> : Adam<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>AdamW with PyTorch's defaults: lr 1e-3, β (0.9, 0.999), ε 1e-8, weight decay 0.01.</summary>
    public AdamW(int parameterCount, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 1e-2)
        : base(parameterCount, learningRate, beta1, beta2, epsilon, weightDecay, decoupled: true) { }
}
