// Models for the ONNX conformance tests (Conformance/onnx, OnnxConformanceTests): one class per (operator, input
// size, hidden size) that the runnable cases need, float like the ONNX data. Names: Onnx{Op}I{input}H{hidden}.
// ONNX's GRU default is linear_before_reset=0, which is RnnGen's ResetAfter = false.
using RnnGen;

namespace RnnGen.Numerics.Tests.Models;

// RNN: test_simple_rnn_defaults, test_simple_rnn_batchwise (I=2, H=4).
[RecurrentModel(inputSize: 2)]
[SimpleRnn(4)]
public partial class OnnxRnnI2H4;

// RNN: test_simple_rnn_with_initial_bias, test_rnn_seq_length (I=3, H=5).
[RecurrentModel(inputSize: 3)]
[SimpleRnn(5)]
public partial class OnnxRnnI3H5;

// GRU: test_gru_defaults (I=2, H=5).
[RecurrentModel(inputSize: 2)]
[Gru(5, ResetAfter = false)]
public partial class OnnxGruI2H5;

// GRU: test_gru_with_initial_bias (I=3, H=3).
[RecurrentModel(inputSize: 3)]
[Gru(3, ResetAfter = false)]
public partial class OnnxGruI3H3;

// GRU: test_gru_seq_length (I=3, H=5).
[RecurrentModel(inputSize: 3)]
[Gru(5, ResetAfter = false)]
public partial class OnnxGruI3H5;

// GRU: test_gru_batchwise (I=2, H=6).
[RecurrentModel(inputSize: 2)]
[Gru(6, ResetAfter = false)]
public partial class OnnxGruI2H6;

// The wrong formulation on purpose (ONNX linear_before_reset=1, PyTorch's GRU): test_gru_seq_length must tell it apart.
[RecurrentModel(inputSize: 3)]
[Gru(5, ResetAfter = true)]
public partial class OnnxGruResetAfterI3H5;

// LSTM: test_lstm_defaults (I=2, H=3).
[RecurrentModel(inputSize: 2)]
[Lstm(3)]
public partial class OnnxLstmI2H3;

// LSTM: test_lstm_with_initial_bias (I=3, H=4).
[RecurrentModel(inputSize: 3)]
[Lstm(4)]
public partial class OnnxLstmI3H4;

// LSTM: test_lstm_batchwise (I=2, H=7).
[RecurrentModel(inputSize: 2)]
[Lstm(7)]
public partial class OnnxLstmI2H7;
