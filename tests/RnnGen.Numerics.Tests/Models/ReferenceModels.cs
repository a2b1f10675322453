// Models for the PyTorch parity tests: one class per reference case (tests/reference/data/manifest.json),
// in float and in double. Written from the manifest; the case table in PyTorchParityTests lists the same names.
using RnnGen;

namespace RnnGen.Numerics.Tests.Models;

[RecurrentModel(inputSize: 1)]
[SimpleRnn(8)]
public partial class RnnTanhC1Float;

[RecurrentModel(inputSize: 1, ElementType = typeof(double))]
[SimpleRnn(8)]
public partial class RnnTanhC1Double;

[RecurrentModel(inputSize: 7)]
[SimpleRnn(16)]
[SimpleRnn(16)]
[Dense(3, Activation = Activation.Softmax)]
public partial class RnnTanhC2Float;

[RecurrentModel(inputSize: 7, ElementType = typeof(double))]
[SimpleRnn(16)]
[SimpleRnn(16)]
[Dense(3, Activation = Activation.Softmax)]
public partial class RnnTanhC2Double;

[RecurrentModel(inputSize: 13)]
[SimpleRnn(32)]
[Dense(8, Activation = Activation.Tanh)]
[Dense(2)]
public partial class RnnTanhC3Float;

[RecurrentModel(inputSize: 13, ElementType = typeof(double))]
[SimpleRnn(32)]
[Dense(8, Activation = Activation.Tanh)]
[Dense(2)]
public partial class RnnTanhC3Double;

[RecurrentModel(inputSize: 33)]
[SimpleRnn(64)]
[SimpleRnn(64)]
public partial class RnnTanhC4Float;

[RecurrentModel(inputSize: 33, ElementType = typeof(double))]
[SimpleRnn(64)]
[SimpleRnn(64)]
public partial class RnnTanhC4Double;

[RecurrentModel(inputSize: 7)]
[SimpleRnn(128)]
[Dense(1, Activation = Activation.Sigmoid)]
public partial class RnnTanhC5Float;

[RecurrentModel(inputSize: 7, ElementType = typeof(double))]
[SimpleRnn(128)]
[Dense(1, Activation = Activation.Sigmoid)]
public partial class RnnTanhC5Double;

[RecurrentModel(inputSize: 7)]
[SimpleRnn(8, Bias = false)]
[Dense(4, Activation = Activation.Relu, Bias = false)]
[Dense(2, Bias = false)]
public partial class RnnTanhC6Float;

[RecurrentModel(inputSize: 7, ElementType = typeof(double))]
[SimpleRnn(8, Bias = false)]
[Dense(4, Activation = Activation.Relu, Bias = false)]
[Dense(2, Bias = false)]
public partial class RnnTanhC6Double;

[RecurrentModel(inputSize: 1)]
[SimpleRnn(8, Activation = Activation.Relu)]
public partial class RnnReluC1Float;

[RecurrentModel(inputSize: 1, ElementType = typeof(double))]
[SimpleRnn(8, Activation = Activation.Relu)]
public partial class RnnReluC1Double;

[RecurrentModel(inputSize: 7)]
[SimpleRnn(16, Activation = Activation.Relu)]
[SimpleRnn(16, Activation = Activation.Relu)]
[Dense(3, Activation = Activation.Softmax)]
public partial class RnnReluC2Float;

[RecurrentModel(inputSize: 7, ElementType = typeof(double))]
[SimpleRnn(16, Activation = Activation.Relu)]
[SimpleRnn(16, Activation = Activation.Relu)]
[Dense(3, Activation = Activation.Softmax)]
public partial class RnnReluC2Double;

[RecurrentModel(inputSize: 13)]
[SimpleRnn(32, Activation = Activation.Relu)]
[Dense(8, Activation = Activation.Tanh)]
[Dense(2)]
public partial class RnnReluC3Float;

[RecurrentModel(inputSize: 13, ElementType = typeof(double))]
[SimpleRnn(32, Activation = Activation.Relu)]
[Dense(8, Activation = Activation.Tanh)]
[Dense(2)]
public partial class RnnReluC3Double;

[RecurrentModel(inputSize: 33)]
[SimpleRnn(64, Activation = Activation.Relu)]
[SimpleRnn(64, Activation = Activation.Relu)]
public partial class RnnReluC4Float;

[RecurrentModel(inputSize: 33, ElementType = typeof(double))]
[SimpleRnn(64, Activation = Activation.Relu)]
[SimpleRnn(64, Activation = Activation.Relu)]
public partial class RnnReluC4Double;

[RecurrentModel(inputSize: 7)]
[SimpleRnn(128, Activation = Activation.Relu)]
[Dense(1, Activation = Activation.Sigmoid)]
public partial class RnnReluC5Float;

[RecurrentModel(inputSize: 7, ElementType = typeof(double))]
[SimpleRnn(128, Activation = Activation.Relu)]
[Dense(1, Activation = Activation.Sigmoid)]
public partial class RnnReluC5Double;

[RecurrentModel(inputSize: 7)]
[SimpleRnn(8, Activation = Activation.Relu, Bias = false)]
[Dense(4, Activation = Activation.Relu, Bias = false)]
[Dense(2, Bias = false)]
public partial class RnnReluC6Float;

[RecurrentModel(inputSize: 7, ElementType = typeof(double))]
[SimpleRnn(8, Activation = Activation.Relu, Bias = false)]
[Dense(4, Activation = Activation.Relu, Bias = false)]
[Dense(2, Bias = false)]
public partial class RnnReluC6Double;

[RecurrentModel(inputSize: 1)]
[Lstm(8)]
public partial class LstmC1Float;

[RecurrentModel(inputSize: 1, ElementType = typeof(double))]
[Lstm(8)]
public partial class LstmC1Double;

[RecurrentModel(inputSize: 7)]
[Lstm(16)]
[Lstm(16)]
[Dense(3, Activation = Activation.Softmax)]
public partial class LstmC2Float;

[RecurrentModel(inputSize: 7, ElementType = typeof(double))]
[Lstm(16)]
[Lstm(16)]
[Dense(3, Activation = Activation.Softmax)]
public partial class LstmC2Double;

[RecurrentModel(inputSize: 13)]
[Lstm(32)]
[Dense(8, Activation = Activation.Tanh)]
[Dense(2)]
public partial class LstmC3Float;

[RecurrentModel(inputSize: 13, ElementType = typeof(double))]
[Lstm(32)]
[Dense(8, Activation = Activation.Tanh)]
[Dense(2)]
public partial class LstmC3Double;

[RecurrentModel(inputSize: 33)]
[Lstm(64)]
[Lstm(64)]
public partial class LstmC4Float;

[RecurrentModel(inputSize: 33, ElementType = typeof(double))]
[Lstm(64)]
[Lstm(64)]
public partial class LstmC4Double;

[RecurrentModel(inputSize: 7)]
[Lstm(128)]
[Dense(1, Activation = Activation.Sigmoid)]
public partial class LstmC5Float;

[RecurrentModel(inputSize: 7, ElementType = typeof(double))]
[Lstm(128)]
[Dense(1, Activation = Activation.Sigmoid)]
public partial class LstmC5Double;

[RecurrentModel(inputSize: 7)]
[Lstm(8, Bias = false)]
[Dense(4, Activation = Activation.Relu, Bias = false)]
[Dense(2, Bias = false)]
public partial class LstmC6Float;

[RecurrentModel(inputSize: 7, ElementType = typeof(double))]
[Lstm(8, Bias = false)]
[Dense(4, Activation = Activation.Relu, Bias = false)]
[Dense(2, Bias = false)]
public partial class LstmC6Double;

[RecurrentModel(inputSize: 1)]
[Gru(8)]
public partial class GruC1Float;

[RecurrentModel(inputSize: 1, ElementType = typeof(double))]
[Gru(8)]
public partial class GruC1Double;

[RecurrentModel(inputSize: 7)]
[Gru(16)]
[Gru(16)]
[Dense(3, Activation = Activation.Softmax)]
public partial class GruC2Float;

[RecurrentModel(inputSize: 7, ElementType = typeof(double))]
[Gru(16)]
[Gru(16)]
[Dense(3, Activation = Activation.Softmax)]
public partial class GruC2Double;

[RecurrentModel(inputSize: 13)]
[Gru(32)]
[Dense(8, Activation = Activation.Tanh)]
[Dense(2)]
public partial class GruC3Float;

[RecurrentModel(inputSize: 13, ElementType = typeof(double))]
[Gru(32)]
[Dense(8, Activation = Activation.Tanh)]
[Dense(2)]
public partial class GruC3Double;

[RecurrentModel(inputSize: 33)]
[Gru(64)]
[Gru(64)]
public partial class GruC4Float;

[RecurrentModel(inputSize: 33, ElementType = typeof(double))]
[Gru(64)]
[Gru(64)]
public partial class GruC4Double;

[RecurrentModel(inputSize: 7)]
[Gru(128)]
[Dense(1, Activation = Activation.Sigmoid)]
public partial class GruC5Float;

[RecurrentModel(inputSize: 7, ElementType = typeof(double))]
[Gru(128)]
[Dense(1, Activation = Activation.Sigmoid)]
public partial class GruC5Double;

[RecurrentModel(inputSize: 7)]
[Gru(8, Bias = false)]
[Dense(4, Activation = Activation.Relu, Bias = false)]
[Dense(2, Bias = false)]
public partial class GruC6Float;

[RecurrentModel(inputSize: 7, ElementType = typeof(double))]
[Gru(8, Bias = false)]
[Dense(4, Activation = Activation.Relu, Bias = false)]
[Dense(2, Bias = false)]
public partial class GruC6Double;

[RecurrentModel(inputSize: 1)]
[Gru(8, ResetAfter = false)]
public partial class GruRbC1Float;

[RecurrentModel(inputSize: 1, ElementType = typeof(double))]
[Gru(8, ResetAfter = false)]
public partial class GruRbC1Double;

[RecurrentModel(inputSize: 7)]
[Gru(16, ResetAfter = false)]
[Gru(16, ResetAfter = false)]
[Dense(3, Activation = Activation.Softmax)]
public partial class GruRbC2Float;

[RecurrentModel(inputSize: 7, ElementType = typeof(double))]
[Gru(16, ResetAfter = false)]
[Gru(16, ResetAfter = false)]
[Dense(3, Activation = Activation.Softmax)]
public partial class GruRbC2Double;

[RecurrentModel(inputSize: 13)]
[Gru(32, ResetAfter = false)]
[Dense(8, Activation = Activation.Tanh)]
[Dense(2)]
public partial class GruRbC3Float;

[RecurrentModel(inputSize: 13, ElementType = typeof(double))]
[Gru(32, ResetAfter = false)]
[Dense(8, Activation = Activation.Tanh)]
[Dense(2)]
public partial class GruRbC3Double;

[RecurrentModel(inputSize: 33)]
[Gru(64, ResetAfter = false)]
[Gru(64, ResetAfter = false)]
public partial class GruRbC4Float;

[RecurrentModel(inputSize: 33, ElementType = typeof(double))]
[Gru(64, ResetAfter = false)]
[Gru(64, ResetAfter = false)]
public partial class GruRbC4Double;

[RecurrentModel(inputSize: 7)]
[Gru(128, ResetAfter = false)]
[Dense(1, Activation = Activation.Sigmoid)]
public partial class GruRbC5Float;

[RecurrentModel(inputSize: 7, ElementType = typeof(double))]
[Gru(128, ResetAfter = false)]
[Dense(1, Activation = Activation.Sigmoid)]
public partial class GruRbC5Double;

[RecurrentModel(inputSize: 7)]
[Gru(8, ResetAfter = false, Bias = false)]
[Dense(4, Activation = Activation.Relu, Bias = false)]
[Dense(2, Bias = false)]
public partial class GruRbC6Float;

[RecurrentModel(inputSize: 7, ElementType = typeof(double))]
[Gru(8, ResetAfter = false, Bias = false)]
[Dense(4, Activation = Activation.Relu, Bias = false)]
[Dense(2, Bias = false)]
public partial class GruRbC6Double;
