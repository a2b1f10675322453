using System;

namespace RnnGen;

/// <summary>Common settings of every layer attribute.</summary>
public abstract class LayerAttribute : Attribute
{
    private protected LayerAttribute(int size) => Size = size;

    /// <summary>The layer's width: hidden size of a recurrent layer, output size of a Dense layer.</summary>
    public int Size { get; }

    /// <summary>Whether the layer has bias vectors (default <see langword="true"/>), as PyTorch's <c>bias=</c>.</summary>
    public bool Bias { get; set; } = true;

    /// <summary>
    /// The PyTorch module name under which the layer's tensors are saved and loaded. Recurrent layers default to
    /// <c>"rnn"</c> and get the suffix <c>_l{k}</c>, where k counts the earlier recurrent layers with the same module
    /// name (so a stack in one <c>nn.LSTM(num_layers=2)</c> is <c>rnn.weight_ih_l0</c>, <c>rnn.weight_ih_l1</c>, and
    /// two separate modules <c>"enc"</c>, <c>"dec"</c> are <c>enc.weight_ih_l0</c>, <c>dec.weight_ih_l0</c>).
    /// Dense layers default to <c>"head"</c> when there is one and <c>"head.0"</c>, <c>"head.1"</c>, … when there are
    /// several; the tensors are <c>{Module}.weight</c> and <c>{Module}.bias</c>.
    /// </summary>
    public string? Module { get; set; }
}

/// <summary>Settings shared by the recurrent layers.</summary>
public abstract class RecurrentLayerAttribute : LayerAttribute
{
    private protected RecurrentLayerAttribute(int hiddenSize) : base(hiddenSize) { }

    /// <summary>
    /// Dropout probability applied during training to this layer's output h_t as it is passed on (to the next layer, or
    /// to the head for the top layer): inverted dropout, kept values scaled by 1 / (1 − p), as PyTorch's
    /// <c>nn.LSTM(dropout=p)</c> between layers and <c>nn.Dropout(p)</c> before a head. The recurrent state itself is not
    /// dropped, and inference never drops. In [0, 1); default 0.
    /// </summary>
    public double Dropout { get; set; }
}
