using System;
using System.Linq;
using RnnGen.Numerics.Tests.Models;
using Xunit;

namespace RnnGen.Numerics.Tests;

/// <summary>A model's <c>ForwardBatch</c> or <c>StepBatch</c>.</summary>
internal delegate void StatesForward<TState, T>(Span<TState> states, ReadOnlySpan<T> inputs, Span<T> outputs);

/// <summary>
/// StepBatch and ForwardBatch: many streams over one set of weights give exactly the bits each stream gets alone from
/// Forward(ref State) (the same kernels, the same order of operations), across tile boundaries, on stacked layers,
/// heads and the reset-before GRU; wrong lengths throw and change no state.
/// </summary>
public class BatchTests
{
    private const int Streams = 3;
    private const int Steps = 37; // 111 rows: several 32-row tiles, the last one partial

    [Fact]
    public void LstmStackBatchMatchesSeparateStreams() =>
        Check<LstmC2Float, LstmC2Float.State, float>(new LstmC2Float(), m => m.ForwardBatch, m => m.StepBatch, m => m.Forward, m => m.Step, s => s.Values.ToArray());

    [Fact]
    public void GruDoubleBatchMatchesSeparateStreams() =>
        Check<GruC3Double, GruC3Double.State, double>(new GruC3Double(), m => m.ForwardBatch, m => m.StepBatch, m => m.Forward, m => m.Step, s => s.Values.ToArray());

    [Fact]
    public void ResetBeforeGruBatchMatchesSeparateStreams() =>
        Check<GruRbC2Float, GruRbC2Float.State, float>(new GruRbC2Float(), m => m.ForwardBatch, m => m.StepBatch, m => m.Forward, m => m.Step, s => s.Values.ToArray());

    [Fact]
    public void SimpleRnnWithSoftmaxHeadBatchMatchesSeparateStreams() =>
        Check<RnnTanhC2Float, RnnTanhC2Float.State, float>(new RnnTanhC2Float(), m => m.ForwardBatch, m => m.StepBatch, m => m.Forward, m => m.Step, s => s.Values.ToArray());

    private delegate T[] Snapshot<TState, T>(TState state);

    private static void Check<TModel, TState, T>(TModel model,
        Func<TModel, StatesForward<TState, T>> forwardBatch, Func<TModel, StatesForward<TState, T>> stepBatch,
        Func<TModel, StateForward<TState, T>> forward, Func<TModel, StateStep<TState, T>> step, Snapshot<TState, T> values)
        where TModel : IRecurrentModel<T> where TState : struct where T : unmanaged, IEquatable<T>
    {
        model.InitializeParameters(seed: 5);
        int n = model.InputSize, o = model.OutputSize;
        var random = new Random(11);
        T[] inputs = Enumerable.Range(0, Steps * Streams * n).Select(_ => (T)Convert.ChangeType(random.NextDouble() * 2 - 1, typeof(T))).ToArray();

        // Each stream alone: its steps are every Streams-th row of the time-major input.
        var alone = new TState[Streams];
        var expected = new T[Steps * Streams * o];
        for (int s = 0; s < Streams; s++)
        {
            T[] own = new T[Steps * n];
            for (int t = 0; t < Steps; t++) inputs.AsSpan((t * Streams + s) * n, n).CopyTo(own.AsSpan(t * n));
            T[] output = new T[Steps * o];
            forward(model)(ref alone[s], own, output);
            for (int t = 0; t < Steps; t++) output.AsSpan(t * o, o).CopyTo(expected.AsSpan((t * Streams + s) * o));
        }

        // All streams at once, in one call and in two calls (the second continues the states).
        var together = new TState[Streams];
        var actual = new T[expected.Length];
        forwardBatch(model)(together, inputs, actual);
        Assert.Equal(expected, actual);
        for (int s = 0; s < Streams; s++) Assert.Equal(values(alone[s]), values(together[s]));

        var split = new TState[Streams];
        var actualSplit = new T[expected.Length];
        int first = 20 * Streams;
        forwardBatch(model)(split, inputs.AsSpan(0, first * n), actualSplit.AsSpan(0, first * o));
        forwardBatch(model)(split, inputs.AsSpan(first * n), actualSplit.AsSpan(first * o));
        Assert.Equal(expected, actualSplit);

        // StepBatch: one step of every stream, as Step per stream.
        var stepped = new TState[Streams];
        var single = new TState[Streams];
        var stepOut = new T[Streams * o];
        var singleOut = new T[o];
        for (int t = 0; t < 3; t++)
        {
            stepBatch(model)(stepped, inputs.AsSpan(t * Streams * n, Streams * n), stepOut);
            for (int s = 0; s < Streams; s++)
            {
                step(model)(ref single[s], inputs.AsSpan((t * Streams + s) * n, n), singleOut);
                Assert.Equal(singleOut, stepOut.AsSpan(s * o, o).ToArray());
            }
        }

        // Wrong lengths: a clear ArgumentException, and no state touched.
        T[][] before = stepped.Select(s => values(s)).ToArray();
        var e = Assert.Throws<ArgumentException>(() => stepBatch(model)(stepped, new T[Streams * n + 1], stepOut));
        Assert.Equal("inputs", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => forwardBatch(model)(stepped, new T[2 * Streams * n], new T[Streams * o]));
        Assert.Equal("outputs", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => forwardBatch(model)(Span<TState>.Empty, inputs, actual));
        Assert.Equal("states", e.ParamName);
        Assert.Equal(before, stepped.Select(s => values(s)).ToArray());

        // No allocation once the thread's scratch exists.
        StatesForward<TState, T> call = forwardBatch(model);
        call(together, inputs, actual);
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        call(together, inputs, actual);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - allocated);
    }
}
