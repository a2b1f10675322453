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
/// heads and the reset-before GRU; wrong lengths throw and change no state. The stream counts reach every kernel of the
/// recurrence: four streams at a time (Quad), two (Pair), one, and their mixes (7 = 4 + 2 + 1, 9 = 4 + 4 + 1), with
/// groups of streams cut by the 32-row tiles.
/// </summary>
public class BatchTests
{
    private const int Steps = 37; // 37 × streams rows: several 32-row tiles, the last one partial

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(9)]
    [InlineData(16)]
    public void LstmStackBatchMatchesSeparateStreams(int streams) =>
        Check<LstmC2Float, LstmC2Float.State, float>(streams, new LstmC2Float(), m => m.ForwardBatch, m => m.StepBatch, m => m.Forward, m => m.Step, s => s.Values.ToArray());

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(9)]
    [InlineData(16)]
    public void GruDoubleBatchMatchesSeparateStreams(int streams) =>
        Check<GruC3Double, GruC3Double.State, double>(streams, new GruC3Double(), m => m.ForwardBatch, m => m.StepBatch, m => m.Forward, m => m.Step, s => s.Values.ToArray());

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(9)]
    [InlineData(16)]
    public void ResetBeforeGruBatchMatchesSeparateStreams(int streams) =>
        Check<GruRbC2Float, GruRbC2Float.State, float>(streams, new GruRbC2Float(), m => m.ForwardBatch, m => m.StepBatch, m => m.Forward, m => m.Step, s => s.Values.ToArray());

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(9)]
    [InlineData(16)]
    public void SimpleRnnWithSoftmaxHeadBatchMatchesSeparateStreams(int streams) =>
        Check<RnnTanhC2Float, RnnTanhC2Float.State, float>(streams, new RnnTanhC2Float(), m => m.ForwardBatch, m => m.StepBatch, m => m.Forward, m => m.Step, s => s.Values.ToArray());

    // Passes of several chunks (the Quad's groups of three gate vectors cross chunk boundaries), partial last chunks.
    [Theory]
    [InlineData(4)]
    [InlineData(7)]
    public void WideLstmBatchMatchesSeparateStreams(int streams) =>
        Check<WideLstmFloat, WideLstmFloat.State, float>(streams, new WideLstmFloat(), m => m.ForwardBatch, m => m.StepBatch, m => m.Forward, m => m.Step, s => s.Values.ToArray());

    [Theory]
    [InlineData(4)]
    [InlineData(7)]
    public void WideGruDoubleBatchMatchesSeparateStreams(int streams) =>
        Check<WideGruDouble, WideGruDouble.State, double>(streams, new WideGruDouble(), m => m.ForwardBatch, m => m.StepBatch, m => m.Forward, m => m.Step, s => s.Values.ToArray());

    [Theory]
    [InlineData(4)]
    [InlineData(7)]
    public void WideStackBatchMatchesSeparateStreams(int streams) =>
        Check<WideStackFloat, WideStackFloat.State, float>(streams, new WideStackFloat(), m => m.ForwardBatch, m => m.StepBatch, m => m.Forward, m => m.Step, s => s.Values.ToArray());

    private delegate T[] Snapshot<TState, T>(TState state);

    private static void Check<TModel, TState, T>(int streams, TModel model,
        Func<TModel, StatesForward<TState, T>> forwardBatch, Func<TModel, StatesForward<TState, T>> stepBatch,
        Func<TModel, StateForward<TState, T>> forward, Func<TModel, StateStep<TState, T>> step, Snapshot<TState, T> values)
        where TModel : IRecurrentModel<T> where TState : struct where T : unmanaged, IEquatable<T>
    {
        model.InitializeParameters(seed: 5);
        int n = model.InputSize, o = model.OutputSize;
        var random = new Random(11);
        T[] inputs = Enumerable.Range(0, Steps * streams * n).Select(_ => (T)Convert.ChangeType(random.NextDouble() * 2 - 1, typeof(T))).ToArray();

        // Each stream alone: its steps are every streams-th row of the time-major input.
        var alone = new TState[streams];
        var expected = new T[Steps * streams * o];
        for (int s = 0; s < streams; s++)
        {
            T[] own = new T[Steps * n];
            for (int t = 0; t < Steps; t++) inputs.AsSpan((t * streams + s) * n, n).CopyTo(own.AsSpan(t * n));
            T[] output = new T[Steps * o];
            forward(model)(ref alone[s], own, output);
            for (int t = 0; t < Steps; t++) output.AsSpan(t * o, o).CopyTo(expected.AsSpan((t * streams + s) * o));
        }

        // All streams at once, in one call and in two calls (the second continues the states).
        var together = new TState[streams];
        var actual = new T[expected.Length];
        forwardBatch(model)(together, inputs, actual);
        Assert.Equal(expected, actual);
        for (int s = 0; s < streams; s++) Assert.Equal(values(alone[s]), values(together[s]));

        var split = new TState[streams];
        var actualSplit = new T[expected.Length];
        int first = 20 * streams;
        forwardBatch(model)(split, inputs.AsSpan(0, first * n), actualSplit.AsSpan(0, first * o));
        forwardBatch(model)(split, inputs.AsSpan(first * n), actualSplit.AsSpan(first * o));
        Assert.Equal(expected, actualSplit);

        // StepBatch: one step of every stream, as Step per stream.
        var stepped = new TState[streams];
        var single = new TState[streams];
        var stepOut = new T[streams * o];
        var singleOut = new T[o];
        for (int t = 0; t < 3; t++)
        {
            stepBatch(model)(stepped, inputs.AsSpan(t * streams * n, streams * n), stepOut);
            for (int s = 0; s < streams; s++)
            {
                step(model)(ref single[s], inputs.AsSpan((t * streams + s) * n, n), singleOut);
                Assert.Equal(singleOut, stepOut.AsSpan(s * o, o).ToArray());
            }
        }

        // Wrong lengths: a clear ArgumentException, and no state touched.
        T[][] before = stepped.Select(s => values(s)).ToArray();
        var e = Assert.Throws<ArgumentException>(() => stepBatch(model)(stepped, new T[streams * n + 1], stepOut));
        Assert.Equal("inputs", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => forwardBatch(model)(stepped, new T[2 * streams * n], new T[streams * o]));
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
