using System;

namespace RnnGen;

/// <summary>What a generated model with an <see cref="EmbeddingAttribute"/> adds: inputs as token ids.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public interface ITokenModel<T> : IRecurrentModel<T> where T : unmanaged
{
    /// <summary>Number of token ids: 0..VocabularySize−1.</summary>
    int VocabularySize { get; }

    /// <summary>One step on a token id from the model's own state.</summary>
    void Step(int token, Span<T> output);

    /// <summary>One step per token id from the model's own state.</summary>
    void Forward(ReadOnlySpan<int> tokens, Span<T> outputs);

    /// <summary>The training forward on token ids.</summary>
    void ForwardTraining(ReadOnlySpan<int> tokens, Span<T> outputs);

    /// <summary>One training step on token ids with real-valued targets.</summary>
    T TrainStep(ReadOnlySpan<int> tokens, ReadOnlySpan<T> targets, IOptimizer<T> optimizer, LossFunction loss = LossFunction.MeanSquaredError, T maxGradientNorm = default);

    /// <summary>One training step on token ids with class targets and softmax cross-entropy.</summary>
    T TrainStep(ReadOnlySpan<int> tokens, ReadOnlySpan<int> classTargets, IOptimizer<T> optimizer, bool lastStepOnly = false, T maxGradientNorm = default);
}
