using System;
using RnnGen.Benchmarks.Peers;

namespace RnnGen.Benchmarks.Models;

// The six shapes of shared/PERFORMANCE.md (float32, batch 1, Dense head at every step, no activation).
// SequenceLength 64 is what the training benchmark records (64 steps); inference takes any length.
// IStreamModel<State> only names members the generator already emits, so RnnGenPeer can call them on any shape.

/// <summary>A: LSTM 1→8, Dense 8→1.</summary>
[RecurrentModel(inputSize: 1, SequenceLength = 64)]
[Lstm(8)]
[Dense(1)]
public partial class ShapeA : IStreamModel<ShapeA.State>;

/// <summary>B: LSTM 1→32, Dense 32→1.</summary>
[RecurrentModel(inputSize: 1, SequenceLength = 64)]
[Lstm(32)]
[Dense(1)]
public partial class ShapeB : IStreamModel<ShapeB.State>;

/// <summary>C: GRU 1→32 (PyTorch reset-after), Dense 32→1.</summary>
[RecurrentModel(inputSize: 1, SequenceLength = 64)]
[Gru(32)]
[Dense(1)]
public partial class ShapeC : IStreamModel<ShapeC.State>;

/// <summary>D: LSTM 16→64, Dense 64→16.</summary>
[RecurrentModel(inputSize: 16, SequenceLength = 64)]
[Lstm(64)]
[Dense(16)]
public partial class ShapeD : IStreamModel<ShapeD.State>;

/// <summary>E: LSTM 32→128→128 (two layers), Dense 128→10.</summary>
[RecurrentModel(inputSize: 32, SequenceLength = 64)]
[Lstm(128)]
[Lstm(128)]
[Dense(10)]
public partial class ShapeE : IStreamModel<ShapeE.State>;

/// <summary>F: SimpleRNN tanh 16→64, Dense 64→16.</summary>
[RecurrentModel(inputSize: 16, SequenceLength = 64)]
[SimpleRnn(64, Activation = Activation.Tanh)]
[Dense(16)]
public partial class ShapeF : IStreamModel<ShapeF.State>;

// The same shapes with FastActivations = true: RnnGen's opt-in approximate sigmoid and tanh (Step, Forward and Batch benchmarks).

[RecurrentModel(inputSize: 1, SequenceLength = 64, FastActivations = true)] [Lstm(8)] [Dense(1)]
public partial class FastShapeA : IStreamModel<FastShapeA.State>;

[RecurrentModel(inputSize: 1, SequenceLength = 64, FastActivations = true)] [Lstm(32)] [Dense(1)]
public partial class FastShapeB : IStreamModel<FastShapeB.State>;

[RecurrentModel(inputSize: 1, SequenceLength = 64, FastActivations = true)] [Gru(32)] [Dense(1)]
public partial class FastShapeC : IStreamModel<FastShapeC.State>;

[RecurrentModel(inputSize: 16, SequenceLength = 64, FastActivations = true)] [Lstm(64)] [Dense(16)]
public partial class FastShapeD : IStreamModel<FastShapeD.State>;

[RecurrentModel(inputSize: 32, SequenceLength = 64, FastActivations = true)] [Lstm(128)] [Lstm(128)] [Dense(10)]
public partial class FastShapeE : IStreamModel<FastShapeE.State>;

[RecurrentModel(inputSize: 16, SequenceLength = 64, FastActivations = true)] [SimpleRnn(64, Activation = Activation.Tanh)] [Dense(16)]
public partial class FastShapeF : IStreamModel<FastShapeF.State>;

/// <summary>The shapes of shared/PERFORMANCE.md.</summary>
public enum Shape { A, B, C, D, E, F }

/// <summary>What the harness needs to know about a shape, and how to make its RnnGen model.</summary>
public static class Shapes
{
    /// <summary>The seed of <c>InitializeParameters</c> for every model of the harness.</summary>
    public const int Seed = 2026;

    /// <summary>Steps of the whole-sequence and batch benchmarks.</summary>
    public const int SequenceSteps = 128;

    /// <summary>Steps of one training step (the models' SequenceLength).</summary>
    public const int TrainingSteps = 64;

    /// <summary>Independent streams of the batch benchmark.</summary>
    public const int Streams = 16;

    public static string Describe(Shape shape) => shape switch
    {
        Shape.A => "LSTM 1→8, Dense 8→1",
        Shape.B => "LSTM 1→32, Dense 32→1",
        Shape.C => "GRU 1→32, Dense 32→1",
        Shape.D => "LSTM 16→64, Dense 64→16",
        Shape.E => "LSTM 32→128→128, Dense 128→10",
        Shape.F => "SimpleRNN tanh 16→64, Dense 64→16",
        _ => throw new ArgumentOutOfRangeException(nameof(shape)),
    };

    /// <summary>A new model of <paramref name="shape"/>, initialized with <see cref="Seed"/>.</summary>
    public static IRecurrentModel<float> CreateModel(Shape shape)
    {
        IRecurrentModel<float> model = shape switch
        {
            Shape.A => new ShapeA(),
            Shape.B => new ShapeB(),
            Shape.C => new ShapeC(),
            Shape.D => new ShapeD(),
            Shape.E => new ShapeE(),
            Shape.F => new ShapeF(),
            _ => throw new ArgumentOutOfRangeException(nameof(shape)),
        };
        model.InitializeParameters(Seed);
        return model;
    }

    /// <summary>RnnGen as a peer: a model of <paramref name="shape"/> initialized with <see cref="Seed"/>.</summary>
    public static Peer CreateRnnGen(Shape shape) => shape switch
    {
        Shape.A => new RnnGenPeer<ShapeA, ShapeA.State>(),
        Shape.B => new RnnGenPeer<ShapeB, ShapeB.State>(),
        Shape.C => new RnnGenPeer<ShapeC, ShapeC.State>(),
        Shape.D => new RnnGenPeer<ShapeD, ShapeD.State>(),
        Shape.E => new RnnGenPeer<ShapeE, ShapeE.State>(),
        Shape.F => new RnnGenPeer<ShapeF, ShapeF.State>(),
        _ => throw new ArgumentOutOfRangeException(nameof(shape)),
    };

    /// <summary>RnnGen with <c>FastActivations = true</c>, the same weights as <see cref="CreateRnnGen"/>.</summary>
    public static Peer CreateRnnGenFast(Shape shape) => shape switch
    {
        Shape.A => new RnnGenPeer<FastShapeA, FastShapeA.State>(),
        Shape.B => new RnnGenPeer<FastShapeB, FastShapeB.State>(),
        Shape.C => new RnnGenPeer<FastShapeC, FastShapeC.State>(),
        Shape.D => new RnnGenPeer<FastShapeD, FastShapeD.State>(),
        Shape.E => new RnnGenPeer<FastShapeE, FastShapeE.State>(),
        Shape.F => new RnnGenPeer<FastShapeF, FastShapeF.State>(),
        _ => throw new ArgumentOutOfRangeException(nameof(shape)),
    };
}
