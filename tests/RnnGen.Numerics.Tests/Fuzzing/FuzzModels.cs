// Models the weight-file fuzzers load into: every cell, both element types, with and without biases, an embedding,
// stacks. The importer targets have the architectures of tests/reference/import (cases.json names them).
using RnnGen;

namespace RnnGen.Numerics.Tests.Fuzzing;

[RecurrentModel(inputSize: 3, ElementType = typeof(double))]
[Embedding(7)]
[Gru(5, ResetAfter = false)]
[Dense(4, Activation = Activation.Softmax)]
public partial class FuzzEmbeddingGruDouble;

[RecurrentModel(inputSize: 4)]
[SimpleRnn(3, Bias = false, Activation = Activation.Relu)]
[SimpleRnn(2, Module = "second")]
public partial class FuzzSimpleRnnFloat;

[RecurrentModel(inputSize: 2)]
[Embedding(6)]
[Lstm(3)]
[Dense(2, Bias = false)]
public partial class FuzzEmbeddingLstmFloat;

// The importers' reference files (tests/reference/import/keras, onnx) load into these.
[RecurrentModel(inputSize: 3)]
[Lstm(5)]
[Dense(2)]
public partial class ImportLstm3x5Dense2;

[RecurrentModel(inputSize: 3)]
[Gru(4)]
[Dense(2, Activation = Activation.Tanh)]
public partial class ImportGru3x4Dense2Tanh;

[RecurrentModel(inputSize: 3)]
[Gru(4, ResetAfter = false)]
[Dense(2)]
public partial class ImportGruRb3x4Dense2;

[RecurrentModel(inputSize: 2)]
[SimpleRnn(4, Activation = Activation.Relu)]
[Dense(3, Activation = Activation.Softmax)]
public partial class ImportRnnRelu2x4Softmax3;

[RecurrentModel(inputSize: 2)]
[Lstm(4)]
[Gru(3)]
[SimpleRnn(3)]
[Dense(4, Activation = Activation.Relu)]
[Dense(2)]
public partial class ImportStacked;

[RecurrentModel(inputSize: 3)]
[Lstm(4, Bias = false)]
[Dense(2, Bias = false)]
public partial class ImportLstmNoBias;

[RecurrentModel(inputSize: 3)]
[Lstm(4)]
[Lstm(4)]
[Dense(2)]
public partial class ImportTorchLstm2;
