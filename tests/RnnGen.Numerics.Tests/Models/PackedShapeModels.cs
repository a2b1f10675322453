// Models whose sizes reach the packed kernels' loops: recurrent layers of several alike passes plus a shorter last
// one, and Dense layers of several whole 8-chunk blocks plus a partial block (PackedKernelTests).
using RnnGen;

namespace RnnGen.Numerics.Tests.Models;

/// <summary>LSTM 40 units: 5 chunks of 8, passes of 2, 2 and 1 chunks; Dense(150) = 2 looped blocks of 64 + 22; Dense(130) = 2 + 2.</summary>
[RecurrentModel(inputSize: 5)]
[Lstm(40)]
[Dense(150, Activation = Activation.Tanh)]
[Dense(130)]
public partial class WideLstmFloat;

/// <summary>Double GRU 20 units: 5 chunks of 4, passes of 2, 2 and 1; Dense(70, sigmoid) = 2 looped blocks of 32 + 6.</summary>
[RecurrentModel(inputSize: 3, ElementType = typeof(double))]
[Gru(20)]
[Dense(70, Activation = Activation.Sigmoid)]
public partial class WideGruDouble;

/// <summary>SimpleRNN 72 units in 9 chunks (one pass of 8, one of 1) over a 2-layer stack; Dense(192, relu) = 3 looped blocks.</summary>
[RecurrentModel(inputSize: 4)]
[SimpleRnn(72, Activation = Activation.Relu)]
[Lstm(48)]
[Dense(192, Activation = Activation.Relu)]
[Dense(5, Activation = Activation.Softmax)]
public partial class WideStackFloat;

/// <summary>WideLstmFloat with the fast activations (PackedKernelTests), and a GRU layer on top.</summary>
[RecurrentModel(inputSize: 5, FastActivations = true)]
[Lstm(40)]
[Gru(24)]
[Dense(150, Activation = Activation.Tanh)]
[Dense(3, Activation = Activation.Sigmoid)]
public partial class FastActivationsFloat;

/// <summary>The same model with the exact activations, to show the option changes the outputs.</summary>
[RecurrentModel(inputSize: 5)]
[Lstm(40)]
[Gru(24)]
[Dense(150, Activation = Activation.Tanh)]
[Dense(3, Activation = Activation.Sigmoid)]
public partial class ExactActivationsFloat;
