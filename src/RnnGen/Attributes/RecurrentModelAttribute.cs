using System;

namespace RnnGen;

/// <summary>
/// Marks a <c>partial class</c> as a recurrent model. The layers follow as attributes on the same declaration,
/// in source order: one or more recurrent layers (<see cref="LstmAttribute"/>, <see cref="GruAttribute"/>,
/// <see cref="SimpleRnnAttribute"/>), then optionally <see cref="DenseAttribute"/> layers applied at every step.
/// </summary>
/// <example>
/// <code>
/// [RecurrentModel(inputSize: 3, ElementType = typeof(double))]
/// [Lstm(32)]
/// [Lstm(32)]
/// [Dense(1)]
/// public partial class Forecaster;
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class RecurrentModelAttribute : Attribute
{
    /// <summary>Declares a model that reads <paramref name="inputSize"/> values per time step.</summary>
    public RecurrentModelAttribute(int inputSize) => InputSize = inputSize;

    /// <summary>Number of input features per time step.</summary>
    public int InputSize { get; }

    /// <summary>The element type: <c>typeof(float)</c> (the default) or <c>typeof(double)</c>.</summary>
    public Type? ElementType { get; set; }

    /// <summary>
    /// The longest sequence one training step records for backpropagation through time (default 64).
    /// Inference is not limited by it: <c>Step</c> and <c>Forward</c> take sequences of any length.
    /// </summary>
    public int SequenceLength { get; set; } = 64;

    /// <summary>
    /// A safetensors file (PyTorch names, F32 or F64) whose values are compiled into the model: the project passes it
    /// to the compiler with <c>&lt;AdditionalFiles Include="path" /&gt;</c>, the generator checks every tensor against the
    /// model at build time (a mismatch is a build error naming the tensor) and emits the values as static data, so a new
    /// instance starts with them, without file I/O. The path is matched against the end of the AdditionalFiles paths.
    /// </summary>
    public string? Weights { get; set; }

    /// <summary>
    /// With <see cref="Weights"/>: compute, once per set of weights (on first use of the state, and again after a load), the
    /// state the model settles to under zero input (stepping until no value moves by more than 1e-7), start the model's own
    /// state there, and let <c>ResetState()</c> return to it instead of zeros (no start-up transient).
    /// </summary>
    public bool RestState { get; set; }

    /// <summary>
    /// Use faster sigmoid and tanh approximations in the inference kernels of a float model (<c>Step</c>, <c>Forward</c> and
    /// the batch calls on AVX2 machines): no division, a shorter polynomial, absolute error at most 1e-6 (sigmoid) and
    /// 2e-6 (tanh) instead of about 2 ulp. Off by default. Training, the portable kernels (machines without AVX2), the
    /// head's dot-product layers and double models keep the exact activations.
    /// </summary>
    public bool FastActivations { get; set; }
}
