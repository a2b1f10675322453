// Models whose weights are compiled in from the reference files (AdditionalFiles in the csproj).
using RnnGen;

namespace RnnGen.Numerics.Tests.Models;

[RecurrentModel(inputSize: 7, Weights = "data/lstm_c2.weights.safetensors")]
[Lstm(16)]
[Lstm(16)]
[Dense(3, Activation = Activation.Softmax)]
public partial class CompiledLstmC2Float;

[RecurrentModel(inputSize: 13, ElementType = typeof(double), Weights = "gru_rb_c3.weights.safetensors")]
[Gru(32, ResetAfter = false)]
[Dense(8, Activation = Activation.Tanh)]
[Dense(2)]
public partial class CompiledGruRbC3Double;

[RecurrentModel(inputSize: 1, Weights = "sine-lstm.safetensors", RestState = true)]
[Lstm(16)]
[Dense(1)]
public partial class CompiledSineAtRest;
