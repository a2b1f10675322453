using System;
using System.IO;
using RnnGen.Import.Onnx;

namespace RnnGen.Import;

/// <summary>
/// Loads the weights of an ONNX model (<c>.onnx</c>) into a generated model: its <c>LSTM</c>, <c>GRU</c> and
/// <c>RNN</c> nodes, stacked (each node's <c>X</c> is the previous node's <c>Y</c> after a Squeeze of the direction
/// axis), and a following head of Dense layers (<c>MatMul</c> [+ <c>Add</c>] or <c>Gemm</c>, then <c>Tanh</c>,
/// <c>Sigmoid</c>, <c>Relu</c> or <c>Softmax</c>).
/// </summary>
/// <remarks>
/// <para>The graph is read as one chain from a graph input to a graph output and checked against
/// <see cref="IRecurrentModel{T}.Architecture"/>: the number and order of layers, cells, sizes, GRU
/// <c>linear_before_reset</c> against <c>ResetAfter</c> (1 = true), SimpleRNN <c>Tanh</c>/<c>Relu</c>, biases and the
/// Dense head. ONNX gate blocks (LSTM <c>[i, o, f, c]</c>, GRU <c>[z, r, h]</c>) are reordered to PyTorch's
/// (<c>[i, f, g, o]</c>, <c>[r, z, n]</c>) and <c>B = [Wb, Rb]</c> becomes <c>bias_ih</c>, <c>bias_hh</c>; the tensors
/// are then loaded with the model's <c>LoadSafetensors</c>.</para>
/// <para>Refused with an <see cref="InvalidDataException"/> that names the node and attribute: peepholes (a
/// nonzero <c>P</c>), <c>clip</c>, <c>input_forget</c>, <c>direction</c> other than forward, activations other than
/// the defaults (and <c>Relu</c> for RNN), <c>sequence_lens</c>, nonzero constant initial states, weights computed at
/// run time, and any operator RnnGen does not compute. <c>layout</c> 0 and 1 are both read (it changes only how
/// <c>X</c> and <c>Y</c> are laid out, not the weights). On any error the model's parameters stay as they were.</para>
/// </remarks>
public static class OnnxImporter
{
    /// <summary>Loads the ONNX model at <paramref name="path"/> into <paramref name="model"/>.</summary>
    /// <exception cref="InvalidDataException">The file does not match the model, or has what RnnGen cannot represent.</exception>
    public static void Load<T>(IRecurrentModel<T> model, string path) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(path);
        Load(model, File.ReadAllBytes(path), $"'{path}'");
    }

    /// <summary>Loads an ONNX model from <paramref name="stream"/> (its current position to its end) into <paramref name="model"/>.</summary>
    /// <exception cref="InvalidDataException">The data does not match the model, or has what RnnGen cannot represent.</exception>
    public static void Load<T>(IRecurrentModel<T> model, Stream stream) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        Load(model, buffer.ToArray(), "the ONNX stream");
    }

    private static void Load<T>(IRecurrentModel<T> model, byte[] bytes, string source) where T : unmanaged
    {
        PyTorchTensors tensors;
        try
        {
            OnnxModelProto proto = OnnxProtoReader.ReadModel(bytes);
            tensors = new OnnxGraphConverter(proto, model.Architecture, model.ParameterLayout).Convert();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Cannot import {source} into {model.GetType().Name}: {e.Message}. The model's parameters were not changed.", e);
        }
        tensors.LoadInto(model);
    }
}
