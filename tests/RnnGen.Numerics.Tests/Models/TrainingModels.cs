// Models for the gradient checks and training tests: sizes that are not multiples of the vector width, mixed stacks.
using RnnGen;

namespace RnnGen.Numerics.Tests.Models;

[RecurrentModel(inputSize: 3, ElementType = typeof(double), SequenceLength = 8)]
[Lstm(5)]
[Gru(7, ResetAfter = false)]
[Dense(4, Activation = Activation.Tanh)]
[Dense(3)]
public partial class CheckLstmGruRb;

[RecurrentModel(inputSize: 2, ElementType = typeof(double), SequenceLength = 8)]
[Gru(6)]
[SimpleRnn(5, Activation = Activation.Relu)]
public partial class CheckGruRelu;

[RecurrentModel(inputSize: 5, ElementType = typeof(double), SequenceLength = 8)]
[SimpleRnn(9)]
[Lstm(3, Bias = false)]
[Dense(2, Activation = Activation.Softmax)]
public partial class CheckRnnLstmSoftmax;

[RecurrentModel(inputSize: 4, ElementType = typeof(double), SequenceLength = 8)]
[Gru(3, Module = "enc")]
[Dense(2, Activation = Activation.Sigmoid, Bias = false)]
public partial class CheckGruSigmoid;

[RecurrentModel(inputSize: 1, SequenceLength = 32)]
[Lstm(16)]
[Dense(1)]
public partial class SineLstm;

[RecurrentModel(inputSize: 1, SequenceLength = 32)]
[Gru(16)]
[Dense(1)]
public partial class SineGru;

[RecurrentModel(inputSize: 1, SequenceLength = 12)]
[Gru(12)]
[Dense(2)]
public partial class FirstBitGru;

[RecurrentModel(inputSize: 6)]
[Embedding(11)]
[Gru(8)]
[Dense(11)]
public partial class EmbeddingGruFloat;

[RecurrentModel(inputSize: 6, ElementType = typeof(double))]
[Embedding(11)]
[Gru(8)]
[Dense(11)]
public partial class EmbeddingGruDouble;

[RecurrentModel(inputSize: 6)]
[Embedding(11)]
[Lstm(8)]
[Lstm(8)]
[Dense(11)]
public partial class EmbeddingLstmFloat;

[RecurrentModel(inputSize: 6, ElementType = typeof(double))]
[Embedding(11)]
[Lstm(8)]
[Lstm(8)]
[Dense(11)]
public partial class EmbeddingLstmDouble;

[RecurrentModel(inputSize: 3, ElementType = typeof(double), SequenceLength = 8)]
[Lstm(6, Dropout = 0.3)]
[Gru(5, ResetAfter = false, Dropout = 0.2)]
[Dense(3, Activation = Activation.Tanh)]
public partial class CheckDropout;

[RecurrentModel(inputSize: 3, ElementType = typeof(double), SequenceLength = 8)]
[Lstm(6)]
[Gru(5, ResetAfter = false)]
[Dense(3, Activation = Activation.Tanh)]
public partial class CheckDropoutTwinWithout;

[RecurrentModel(inputSize: 2, SequenceLength = 200)]
[SimpleRnn(50, Dropout = 0.25)]
public partial class DropoutStatistics;

/// <summary>Token and vector inputs with dropout on stacked layers: the two training forwards must agree (TrainingForwardKernelTests).</summary>
[RecurrentModel(inputSize: 6, SequenceLength = 40)]
[Embedding(11)]
[Lstm(16, Dropout = 0.3)]
[Gru(12, Dropout = 0.2)]
[Dense(11)]
public partial class EmbeddingDropoutStack;
