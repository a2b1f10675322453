using System;

namespace RnnGen;

/// <summary>
/// A long short-term memory layer, as PyTorch's <c>nn.LSTM</c> (gate rows [i, f, g, o]).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LstmAttribute : RecurrentLayerAttribute
{
    /// <summary>An LSTM layer with <paramref name="hiddenSize"/> units.</summary>
    public LstmAttribute(int hiddenSize) : base(hiddenSize) { }
}

/// <summary>
/// A gated recurrent unit layer (gate rows [r, z, n], as PyTorch's <c>nn.GRU</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GruAttribute : RecurrentLayerAttribute
{
    /// <summary>A GRU layer with <paramref name="hiddenSize"/> units.</summary>
    public GruAttribute(int hiddenSize) : base(hiddenSize) { }

    /// <summary>
    /// Where the reset gate applies. <see langword="true"/> (the default): after the recurrent matrix product,
    /// <c>n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))</c>, as PyTorch, Keras <c>reset_after=True</c> and ONNX
    /// <c>linear_before_reset=1</c>. <see langword="false"/>: before it, <c>n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn)</c>,
    /// as Cho et al., Keras <c>reset_after=False</c> and the ONNX default.
    /// </summary>
    public bool ResetAfter { get; set; } = true;
}

/// <summary>
/// An Elman recurrent layer, <c>h' = act(W_ih x + b_ih + W_hh h + b_hh)</c>, as PyTorch's <c>nn.RNN</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SimpleRnnAttribute : RecurrentLayerAttribute
{
    /// <summary>A simple recurrent layer with <paramref name="hiddenSize"/> units.</summary>
    public SimpleRnnAttribute(int hiddenSize) : base(hiddenSize) { }

    /// <summary>The nonlinearity: <see cref="Activation.Tanh"/> (the default) or <see cref="Activation.Relu"/>.</summary>
    public Activation Activation { get; set; } = Activation.Tanh;
}

/// <summary>
/// A fully connected layer applied to the top recurrent layer's output at every time step,
/// <c>y = act(W x + b)</c>, as PyTorch's <c>nn.Linear</c> followed by the activation.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : LayerAttribute
{
    /// <summary>A Dense layer with <paramref name="outputSize"/> outputs.</summary>
    public DenseAttribute(int outputSize) : base(outputSize) { }

    /// <summary>The activation applied to the outputs (default <see cref="Activation.None"/>).</summary>
    public Activation Activation { get; set; } = Activation.None;
}

/// <summary>
/// An embedding input layer, as PyTorch's <c>nn.Embedding(vocabularySize, inputSize)</c>: the model then also takes
/// integer token ids (<c>Step(int token, …)</c>, <c>Forward(ReadOnlySpan&lt;int&gt; tokens, …)</c>) and looks up row
/// <c>token</c> of <c>embedding.weight</c> <c>[vocabularySize, InputSize]</c> as the step's input. Put it first, before
/// the recurrent layers; it is trained with the rest.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class EmbeddingAttribute : LayerAttribute
{
    /// <summary>An embedding of <paramref name="vocabularySize"/> tokens into vectors of the model's <c>inputSize</c>.</summary>
    public EmbeddingAttribute(int vocabularySize) : base(vocabularySize) { }
}
