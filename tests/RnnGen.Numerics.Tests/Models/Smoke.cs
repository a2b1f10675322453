using RnnGen;

namespace RnnGen.Numerics.Tests.Models;

[RecurrentModel(inputSize: 3, ElementType = typeof(double), SequenceLength = 64)]
[Lstm(32)]
[Lstm(32)]
[Dense(1)]
public partial class Forecaster;
