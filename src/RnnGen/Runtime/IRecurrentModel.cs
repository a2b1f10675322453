using System;
using System.Collections.Generic;
using System.IO;

namespace RnnGen;

/// <summary>
/// What every generated model offers, for code that handles several models alike (tests, tools, hosts).
/// The generated class implements it; its own members are the same, with the sizes as constants.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public interface IRecurrentModel<T> where T : unmanaged
{
    /// <summary>Input features per time step.</summary>
    int InputSize { get; }

    /// <summary>Outputs per time step (the last Dense layer's size, else the top recurrent layer's hidden size).</summary>
    int OutputSize { get; }

    /// <summary>Number of recurrent layers.</summary>
    int LayerCount { get; }

    /// <summary>Hidden size of recurrent layer <paramref name="layer"/>.</summary>
    int HiddenSize(int layer);

    /// <summary>Runs one time step from the model's own state, and leaves the new state there.</summary>
    void Step(ReadOnlySpan<T> input, Span<T> output);

    /// <summary>Runs <c>inputs.Length / InputSize</c> steps, row-major <c>[steps, InputSize]</c> in and <c>[steps, OutputSize]</c> out.</summary>
    void Forward(ReadOnlySpan<T> inputs, Span<T> outputs);

    /// <summary>Sets every hidden and cell state of the model's own state to zero.</summary>
    void ResetState();

    /// <summary>The hidden state h of recurrent layer <paramref name="layer"/> in the model's own state (writable).</summary>
    Span<T> Hidden(int layer);

    /// <summary>The cell state c of LSTM layer <paramref name="layer"/> (writable); empty for GRU and SimpleRNN layers.</summary>
    Span<T> Cell(int layer);

    /// <summary>All parameters, tensor after tensor in <see cref="ParameterLayout"/> order, each in PyTorch layout.</summary>
    Span<T> Parameters { get; }

    /// <summary>The layers as declared: cells, sizes, options and module names.</summary>
    ModelArchitecture Architecture { get; }

    /// <summary>The named tensors, with PyTorch names and shapes.</summary>
    IReadOnlyList<ParameterInfo> ParameterLayout { get; }

    /// <summary>The values of the tensor called <paramref name="name"/> (writable).</summary>
    Span<T> Parameter(string name);

    /// <summary>Replaces all parameters with those of a safetensors file; on any error the model is unchanged.</summary>
    void LoadSafetensors(string path);

    /// <summary>Replaces all parameters with those of a safetensors stream; on any error the model is unchanged.</summary>
    void LoadSafetensors(Stream stream);

    /// <summary>Writes all parameters to a safetensors file (through a temporary file renamed at the end).</summary>
    void SaveSafetensors(string path);

    /// <summary>Writes all parameters to a safetensors stream.</summary>
    void SaveSafetensors(Stream stream);

    /// <summary>The longest sequence a training forward records.</summary>
    int SequenceLength { get; }

    /// <summary>Fills every parameter from a seed (PyTorch's scheme by default), the same on every machine.</summary>
    void InitializeParameters(int seed, InitializationOptions? options = null);

    /// <summary>Runs a sequence from the model's own state and records it for <see cref="Backward(ReadOnlySpan{T}, Span{T})"/>.</summary>
    void ForwardTraining(ReadOnlySpan<T> inputs, Span<T> outputs);

    /// <summary>Backpropagation through the recorded sequence; adds into <see cref="Gradients"/>.</summary>
    void Backward(ReadOnlySpan<T> outputGradients);

    /// <summary>Backpropagation through the recorded sequence, also writing dL/dx unless <paramref name="inputGradients"/> is empty.</summary>
    void Backward(ReadOnlySpan<T> outputGradients, Span<T> inputGradients);

    /// <summary>Steps recorded by the last training forward.</summary>
    int RecordedSteps { get; }

    /// <summary>Accumulated dL/dθ, laid out like <see cref="Parameters"/>.</summary>
    Span<T> Gradients { get; }

    /// <summary>The gradient of one named tensor.</summary>
    Span<T> Gradient(string name);

    /// <summary>Sets every gradient to zero.</summary>
    void ZeroGradients();

    /// <summary>dL/dh₀ of a layer, from the last backward pass.</summary>
    ReadOnlySpan<T> InitialHiddenGradient(int layer);

    /// <summary>dL/dc₀ of an LSTM layer (empty for other cells), from the last backward pass.</summary>
    ReadOnlySpan<T> InitialCellGradient(int layer);

    /// <summary>One training step with real-valued targets; returns the loss before the update.</summary>
    T TrainStep(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, IOptimizer<T> optimizer, LossFunction loss = LossFunction.MeanSquaredError, T maxGradientNorm = default);

    /// <summary>One training step with class targets and softmax cross-entropy; returns the loss before the update.</summary>
    T TrainStep(ReadOnlySpan<T> inputs, ReadOnlySpan<int> classTargets, IOptimizer<T> optimizer, bool lastStepOnly = false, T maxGradientNorm = default);
}
