// The models the import tests load files into. Names: cells and sizes; the reference cases (cases.json) name them.
using RnnGen;

namespace RnnGen.Import.Tests;

[RecurrentModel(inputSize: 3)]
[Lstm(5)]
[Dense(2)]
public partial class Lstm3x5Dense2;

[RecurrentModel(inputSize: 3, ElementType = typeof(double))]
[Lstm(5)]
[Dense(2)]
public partial class Lstm3x5Dense2Double;

[RecurrentModel(inputSize: 3)]
[Gru(4)]
[Dense(2, Activation = Activation.Tanh)]
public partial class Gru3x4Dense2Tanh;

[RecurrentModel(inputSize: 3)]
[Gru(4, ResetAfter = false)]
[Dense(2)]
public partial class GruRb3x4Dense2;

[RecurrentModel(inputSize: 2)]
[SimpleRnn(4, Activation = Activation.Relu)]
[Dense(3, Activation = Activation.Softmax)]
public partial class RnnRelu2x4Softmax3;

[RecurrentModel(inputSize: 2)]
[Lstm(4)]
[Gru(3)]
[SimpleRnn(3)]
[Dense(4, Activation = Activation.Relu)]
[Dense(2)]
public partial class Stacked;

[RecurrentModel(inputSize: 3)]
[Lstm(4, Bias = false)]
[Dense(2, Bias = false)]
public partial class LstmNoBias;

// torch.onnx.export of nn.LSTM(3, 4, num_layers=2, batch_first=True) + nn.Linear(4, 2).
[RecurrentModel(inputSize: 3)]
[Lstm(4)]
[Lstm(4)]
[Dense(2)]
public partial class TorchLstm2;

// ONNX conformance cases (tests/RnnGen.Numerics.Tests/Conformance/onnx): ONNX's GRU default is linear_before_reset=0.
[RecurrentModel(inputSize: 2)]
[SimpleRnn(4)]
public partial class OnnxRnnI2H4;

[RecurrentModel(inputSize: 3)]
[SimpleRnn(5)]
public partial class OnnxRnnI3H5;

[RecurrentModel(inputSize: 2)]
[Gru(5, ResetAfter = false)]
public partial class OnnxGruI2H5;

[RecurrentModel(inputSize: 3)]
[Gru(3, ResetAfter = false)]
public partial class OnnxGruI3H3;

[RecurrentModel(inputSize: 3)]
[Gru(5, ResetAfter = false)]
public partial class OnnxGruI3H5;

[RecurrentModel(inputSize: 3)]
[Gru(5)]
public partial class OnnxGruResetAfterI3H5;

[RecurrentModel(inputSize: 2)]
[Gru(6, ResetAfter = false)]
public partial class OnnxGruI2H6;

[RecurrentModel(inputSize: 2)]
[Lstm(3)]
public partial class OnnxLstmI2H3;

[RecurrentModel(inputSize: 3)]
[Lstm(4)]
public partial class OnnxLstmI3H4;

[RecurrentModel(inputSize: 2)]
[Lstm(7)]
public partial class OnnxLstmI2H7;

[RecurrentModel(inputSize: 4)]
[Lstm(3)]
public partial class OnnxLstmI4H3;

// Keras Embedding(10, 3) + the GRU of keras/gru_dense_tanh.json.
[RecurrentModel(inputSize: 3)]
[Embedding(10)]
[Gru(4)]
[Dense(2, Activation = Activation.Tanh)]
public partial class EmbeddedGru;

// For the ONNX chain errors (onnx/unsupported_{layout_mismatch,squeeze_time,branch,softmax_axis,intermediate_output}).
[RecurrentModel(inputSize: 2)]
[Lstm(3)]
[Lstm(3)]
[Dense(2, Activation = Activation.Sigmoid)]
public partial class TwoLstmI2H3;
