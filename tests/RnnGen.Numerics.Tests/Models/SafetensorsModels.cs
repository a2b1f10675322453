// Small models for the safetensors tests (SafetensorsMalformedTests): few tensors, easy to build files for by hand.
using RnnGen;

namespace RnnGen.Numerics.Tests.Models;

// rnn.weight_ih_l0 [12, 2], rnn.weight_hh_l0 [12, 3], rnn.bias_ih_l0 [12], rnn.bias_hh_l0 [12], head.weight [2, 3], head.bias [2].
[RecurrentModel(inputSize: 2)]
[Lstm(3)]
[Dense(2)]
public partial class SmallLstmFloat;

// The same architecture in double: files convert between the two.
[RecurrentModel(inputSize: 2, ElementType = typeof(double))]
[Lstm(3)]
[Dense(2)]
public partial class SmallLstmDouble;

// Two stacked layers: rnn.*_l0 and rnn.*_l1, then head.*.
[RecurrentModel(inputSize: 2)]
[Lstm(3)]
[Lstm(3)]
[Dense(2)]
public partial class SmallStackedLstmFloat;
