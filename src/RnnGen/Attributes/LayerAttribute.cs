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
