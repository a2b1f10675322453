using System;
using System.Numerics;

namespace RnnGen;

/// <summary>The losses <c>TrainStep</c> takes with real-valued targets.</summary>
public enum LossFunction
{
    /// <summary>Mean over all outputs of (y − target)², as <c>torch.nn.functional.mse_loss</c>.</summary>
    MeanSquaredError = 0,

    /// <summary>Mean over all outputs of binary cross-entropy on logits, as <c>binary_cross_entropy_with_logits</c>.</summary>
    BinaryCrossEntropyWithLogits = 1,
}

/// <summary>
/// Losses with their gradient, mean-reduced as PyTorch's defaults. Each returns the loss and writes dL/dy into
/// <c>gradient</c> (same length as the predictions). Numerically stable: log-sum-exp shifted by the maximum, and
/// <c>max(x, 0) − x·t + log(1 + e^−|x|)</c> for binary cross-entropy.
/// </summary>
public static class Losses
{
    /// <summary>The loss <paramref name="loss"/> of <paramref name="predictions"/> against <paramref name="targets"/>.</summary>
    public static T Compute<T>(LossFunction loss, ReadOnlySpan<T> predictions, ReadOnlySpan<T> targets, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T> => loss switch
        {
            LossFunction.MeanSquaredError => MeanSquaredError(predictions, targets, gradient),
            LossFunction.BinaryCrossEntropyWithLogits => BinaryCrossEntropyWithLogits(predictions, targets, gradient),
            _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss function."),
        };

    /// <summary>L = Σ (y − t)² / N; dL/dy = 2 (y − t) / N.</summary>
    public static T MeanSquaredError<T>(ReadOnlySpan<T> predictions, ReadOnlySpan<T> targets, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLengths(predictions.Length, targets.Length, gradient.Length, nameof(targets));
        T n = T.CreateChecked(predictions.Length);
        T sum = T.Zero;
        T two = T.CreateChecked(2);
        for (int i = 0; i < predictions.Length; i++)
        {
            T difference = predictions[i] - targets[i];
            sum += difference * difference;
            gradient[i] = two * difference / n;
        }
        return sum / n;
    }

    /// <summary>
    /// L = mean of max(x, 0) − x·t + log(1 + e^−|x|) over all outputs, with targets in [0, 1]; dL/dx = (σ(x) − t) / N.
    /// </summary>
    public static T BinaryCrossEntropyWithLogits<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLengths(logits.Length, targets.Length, gradient.Length, nameof(targets));
        T n = T.CreateChecked(logits.Length);
        T sum = T.Zero;
        for (int i = 0; i < logits.Length; i++)
        {
            T x = logits[i];
            sum += T.Max(x, T.Zero) - x * targets[i] + T.LogP1(T.Exp(-T.Abs(x)));
            T sigmoid = x >= T.Zero ? T.One / (T.One + T.Exp(-x)) : T.Exp(x) / (T.One + T.Exp(x));
            gradient[i] = (sigmoid - targets[i]) / n;
        }
        return sum / n;
    }

    /// <summary>
    /// Softmax cross-entropy of class logits <c>[steps, classes]</c> against one class index per step, averaged over the
    /// steps: L = mean(logsumexp(x) − x[target]); dL/dx = (softmax(x) − onehot(target)) / steps.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths disagree.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A target is not in 0..classes−1.</exception>
    public static T SoftmaxCrossEntropy<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> classTargets, int classes, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int steps = CheckClasses(logits.Length, classes, gradient.Length);
        if (classTargets.Length != steps)
            throw new ArgumentException($"classTargets has length {classTargets.Length}, expected {steps} (one class per step).", nameof(classTargets));
        T sum = T.Zero;
        T scale = T.One / T.CreateChecked(steps);
        for (int s = 0; s < steps; s++)
            sum += StepCrossEntropy(logits.Slice(s * classes, classes), classTargets[s], scale, gradient.Slice(s * classes, classes));
        return sum * scale;
    }

    /// <summary>
    /// Softmax cross-entropy of the last step's logits only (sequence classification): L = logsumexp(x_T) − x_T[target];
    /// the gradient of the other steps is zero.
    /// </summary>
    public static T SoftmaxCrossEntropyLastStep<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> classTargets, int classes, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int steps = CheckClasses(logits.Length, classes, gradient.Length);
        if (classTargets.Length != 1)
            throw new ArgumentException($"classTargets has length {classTargets.Length}, expected 1 (the last step's class).", nameof(classTargets));
        if (steps == 0) throw new ArgumentException("logits is empty.", nameof(logits));
        gradient.Clear();
        int last = (steps - 1) * classes;
        return StepCrossEntropy(logits.Slice(last, classes), classTargets[0], T.One, gradient.Slice(last, classes));
    }

    private static T StepCrossEntropy<T>(ReadOnlySpan<T> x, int target, T scale, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if ((uint)target >= (uint)x.Length)
            throw new ArgumentOutOfRangeException("classTargets", target, $"A class target must be in 0..{x.Length - 1}.");
        T max = x[0];
        for (int j = 1; j < x.Length; j++) max = T.Max(max, x[j]);
        T sum = T.Zero;
        for (int j = 0; j < x.Length; j++) sum += T.Exp(x[j] - max);
        T logSumExp = max + T.Log(sum);
        for (int j = 0; j < x.Length; j++)
            gradient[j] = (T.Exp(x[j] - logSumExp) - (j == target ? T.One : T.Zero)) * scale;
        return logSumExp - x[target];
    }

    private static int CheckClasses(int logits, int classes, int gradient)
    {
        if (classes <= 0) throw new ArgumentOutOfRangeException(nameof(classes), classes, "classes must be positive.");
        if (logits % classes != 0)
            throw new ArgumentException($"logits has length {logits}, which is not a multiple of the {classes} classes.", nameof(logits));
        if (gradient != logits)
            throw new ArgumentException($"gradient has length {gradient}, expected {logits} (like logits).", nameof(gradient));
        return logits / classes;
    }

    private static void CheckLengths(int predictions, int targets, int gradient, string targetsName)
    {
        if (targets != predictions)
            throw new ArgumentException($"{targetsName} has length {targets}, expected {predictions} (like the predictions).", targetsName);
        if (gradient != predictions)
            throw new ArgumentException($"gradient has length {gradient}, expected {predictions} (like the predictions).", nameof(gradient));
    }
}
