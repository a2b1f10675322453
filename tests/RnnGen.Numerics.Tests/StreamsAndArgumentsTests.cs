using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RnnGen.Numerics.Tests.Models;
using Xunit;

namespace RnnGen.Numerics.Tests;

/// <summary>
/// Streams: each <c>State</c> is an independent stream over shared weights; interleaving, snapshots (State is a value
/// type), threads and split Forward calls all give the same bits as one uninterrupted run. Arguments: wrong span
/// lengths and layer indices throw with the argument's name and the expected size, and change nothing.
/// </summary>
public class StreamsAndArgumentsTests
{
    public static TheoryData<string> Models => new(ModelDrivers.Names);

    // ── (a) Interleaved streams and snapshots ──

    [Theory]
    [MemberData(nameof(Models))]
    public void InterleavedStreamsMatchSeparateRuns(string name) => ModelDrivers.Run(name, new Interleaved());

    private sealed class Interleaved : IDriverTest
    {
        public void Run<TModel, TState, T>(ModelDriver<TModel, TState, T> d)
            where TModel : IRecurrentModel<T> where TState : struct where T : unmanaged
        {
            int o = d.Model.OutputSize, n = d.Model.InputSize;
            Scenario sa = d.Reference.Scenarios[2]; // T = 17 from a random state
            Scenario sb = d.Reference.Scenarios[3]; // T = 64 from zero
            T[] inputA = Norms.From<T>(sa.Input), inputB = Norms.From<T>(sb.Input);

            // Each alone, through Forward(ref State): also right against PyTorch.
            TState aloneA = d.Seeded(sa), aloneB = d.Seeded(sb);
            var outA = new T[sa.Steps * o];
            var outB = new T[sb.Steps * o];
            d.Forward(ref aloneA, inputA, outA);
            d.Forward(ref aloneB, inputB, outB);
            Assert.True(Norms.RelativeError(Norms.ToDouble<T>(outA), sa.Output) <= d.Tolerance, $"{d.Name}: stream A vs PyTorch");
            Assert.True(Norms.RelativeError(Norms.ToDouble<T>(outB), sb.Output) <= d.Tolerance, $"{d.Name}: stream B vs PyTorch");

            // Interleaved step by step on the same model.
            TState a = d.Seeded(sa), b = d.Seeded(sb);
            var stepA = new T[outA.Length];
            var stepB = new T[outB.Length];
            for (int t = 0; t < Math.Max(sa.Steps, sb.Steps); t++)
            {
                if (t < sa.Steps) d.Step(ref a, inputA.AsSpan(t * n, n), stepA.AsSpan(t * o, o));
                if (t < sb.Steps) d.Step(ref b, inputB.AsSpan(t * n, n), stepB.AsSpan(t * o, o));
            }
            Assert.Equal(outA, stepA);
            Assert.Equal(outB, stepB);
            Assert.Equal(d.Snapshot(ref aloneA), d.Snapshot(ref a));
            Assert.Equal(d.Snapshot(ref aloneB), d.Snapshot(ref b));

            // None of it touched the model's own state.
            Assert.All(Norms.ToDouble<T>(d.Values(ref d.Current(d.Model))), v => Assert.Equal(0.0, v));
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void CopiedStateResumesBitForBit(string name) => ModelDrivers.Run(name, new Snapshots());

    private sealed class Snapshots : IDriverTest
    {
        public void Run<TModel, TState, T>(ModelDriver<TModel, TState, T> d)
            where TModel : IRecurrentModel<T> where TState : struct where T : unmanaged
        {
            int o = d.Model.OutputSize, n = d.Model.InputSize;
            Scenario s = d.Reference.Scenarios[2];
            T[] input = Norms.From<T>(s.Input);
            const int Split = 7;
            int rest = s.Steps - Split;

            TState state = d.Seeded(s);
            var first = new T[Split * o];
            d.Forward(ref state, input.AsSpan(0, Split * n), first);
            TState snapshot = state; // a copy, not an alias
            T[] snapshotValues = d.Snapshot(ref snapshot);
            var tail = new T[rest * o];
            d.Forward(ref state, input.AsSpan(Split * n), tail);
            Assert.Equal(snapshotValues, d.Snapshot(ref snapshot)); // running on the original left the copy alone
            Assert.NotEqual(snapshotValues, d.Snapshot(ref state));

            TState resumed = snapshot;
            var again = new T[rest * o];
            for (int t = 0; t < rest; t++) d.Step(ref resumed, input.AsSpan((Split + t) * n, n), again.AsSpan(t * o, o));
            Assert.Equal(tail, again);
            Assert.Equal(d.Snapshot(ref state), d.Snapshot(ref resumed));
            Assert.Equal(snapshotValues, d.Snapshot(ref snapshot));

            // The model's own stream: copy CurrentState out, run on, put the copy back, run again: same bits.
            d.Model.ResetState();
            d.Model.Forward(input.AsSpan(0, Split * n), new T[Split * o]);
            TState saved = d.Current(d.Model);
            var ownTail = new T[rest * o];
            d.Model.Forward(input.AsSpan(Split * n), ownTail);
            d.Current(d.Model) = saved;
            var ownAgain = new T[rest * o];
            d.Model.Forward(input.AsSpan(Split * n), ownAgain);
            Assert.Equal(ownTail, ownAgain);
            // From zero, the model's stream is scenario 2's input from a zero state: equal to a zero State stream.
            TState zero = default;
            var fromZero = new T[s.Steps * o];
            d.Forward(ref zero, input, fromZero);
            Assert.Equal(fromZero.AsSpan(Split * o).ToArray(), ownTail);
            d.Model.ResetState();
        }
    }

    // ── (b) Threads ──

    [Theory]
    [MemberData(nameof(Models))]
    public void ParallelStreamsMatchTheSequentialRun(string name) => ModelDrivers.Run(name, new Threads());

    private sealed class Threads : IDriverTest
    {
        public void Run<TModel, TState, T>(ModelDriver<TModel, TState, T> d)
            where TModel : IRecurrentModel<T> where TState : struct where T : unmanaged
        {
            const int Streams = 16, Steps = 200, Tasks = 4;
            int o = d.Model.OutputSize, n = d.Model.InputSize;
            T[][] inputs = Enumerable.Range(0, Streams).Select(i => d.RandomInputs(Steps, seed: 100 + i)).ToArray();

            var sequential = new T[Streams][];
            var sequentialStates = new T[Streams][];
            for (int i = 0; i < Streams; i++)
            {
                TState state = default;
                sequential[i] = new T[Steps * o];
                d.Forward(ref state, inputs[i], sequential[i]);
                sequentialStates[i] = d.Snapshot(ref state);
            }

            for (int round = 0; round < 3; round++)
            {
                var parallel = new T[Streams][];
                var parallelStates = new T[Streams][];
                using var start = new Barrier(Tasks);
                Parallel.For(0, Tasks, new ParallelOptions { MaxDegreeOfParallelism = Tasks }, task =>
                {
                    start.SignalAndWait(TimeSpan.FromSeconds(10)); // all four at once, as far as the machine allows
                    for (int i = task; i < Streams; i += Tasks)
                    {
                        TState state = default;
                        var outputs = new T[Steps * o];
                        // Half through Step, half through Forward, so both paths run concurrently.
                        for (int t = 0; t < Steps / 2; t++) d.Step(ref state, inputs[i].AsSpan(t * n, n), outputs.AsSpan(t * o, o));
                        d.Forward(ref state, inputs[i].AsSpan(Steps / 2 * n), outputs.AsSpan(Steps / 2 * o));
                        parallel[i] = outputs;
                        parallelStates[i] = d.Snapshot(ref state);
                    }
                });
                for (int i = 0; i < Streams; i++)
                {
                    Assert.Equal(sequential[i], parallel[i]);
                    Assert.Equal(sequentialStates[i], parallelStates[i]);
                }
            }
        }
    }

    // ── (c) Arguments ──

    [Theory]
    [MemberData(nameof(Models))]
    public void WrongLengthsThrowAndChangeNothing(string name) => ModelDrivers.Run(name, new Arguments());

    private sealed class Arguments : IDriverTest
    {
        public void Run<TModel, TState, T>(ModelDriver<TModel, TState, T> d)
            where TModel : IRecurrentModel<T> where TState : struct where T : unmanaged
        {
            TModel model = d.Model;
            int i = model.InputSize, o = model.OutputSize;
            // Non-zero states, so "unchanged" means something.
            TState state = d.Seeded(d.Reference.Scenarios[2]);
            model.ResetState();
            model.Step(new T[i], new T[o]);
            T[] stateBefore = d.Snapshot(ref state);
            T[] ownBefore = d.Snapshot(ref d.Current(model));
            var outputs = new T[4 * o]; // room for every wrong length below
            Array.Fill(outputs, Norms.From<T>([42.0])[0]);

            void Unchanged()
            {
                Assert.Equal(stateBefore, d.Snapshot(ref state));
                Assert.Equal(ownBefore, d.Snapshot(ref d.Current(model)));
                Assert.All(Norms.ToDouble<T>(outputs), v => Assert.Equal(42.0, v));
            }

            void Throws(string parameter, string[] parts, Action action)
            {
                ArgumentException e = Assert.Throws<ArgumentException>(action);
                Assert.Equal(parameter, e.ParamName);
                foreach (string part in parts) Assert.Contains(part, e.Message);
                Unchanged();
            }

            foreach (int length in new[] { 0, i - 1, i + 1, 2 * i })
            {
                if (length == i) continue;
                Throws("input", [$"has length {length}", $"expected {i}"], () => model.Step(new T[length], outputs.AsSpan(0, o)));
                Throws("input", [$"has length {length}", $"expected {i}"], () => d.Step(ref state, new T[length], outputs.AsSpan(0, o)));
            }
            foreach (int length in new[] { 0, o - 1, o + 1 })
            {
                if (length == o) continue;
                Throws("output", [$"has length {length}", $"expected {o}"], () => model.Step(new T[i], outputs.AsSpan(0, length)));
                Throws("output", [$"has length {length}", $"expected {o}"], () => d.Step(ref state, new T[i], outputs.AsSpan(0, length)));
            }
            foreach (int length in new[] { 1, i - 1, 3 * i + 1, 2 * i - 1 })
            {
                if (length % i == 0) continue;
                Throws("inputs", [$"length {length}", $"InputSize ({i})"], () => model.Forward(new T[length], outputs.AsSpan(0, 3 * o)));
                Throws("inputs", [$"length {length}", $"InputSize ({i})"], () => d.Forward(ref state, new T[length], outputs.AsSpan(0, 3 * o)));
            }
            foreach (int length in new[] { 0, 3 * o - 1, 3 * o + 1, 2 * o })
            {
                Throws("outputs", [$"length {length}", $"expected {3 * o}"], () => model.Forward(new T[3 * i], outputs.AsSpan(0, length)));
                Throws("outputs", [$"length {length}", $"expected {3 * o}"], () => d.Forward(ref state, new T[3 * i], outputs.AsSpan(0, length)));
            }

            // Bad layer indices: the model's accessors and the State's.
            foreach (int layer in new[] { -1, model.LayerCount, model.LayerCount + 5, int.MinValue })
            {
                Assert.Equal("layer", Assert.Throws<ArgumentOutOfRangeException>(() => model.Hidden(layer)).ParamName);
                Assert.Equal("layer", Assert.Throws<ArgumentOutOfRangeException>(() => model.Cell(layer)).ParamName);
                Assert.Equal("layer", Assert.Throws<ArgumentOutOfRangeException>(() => model.HiddenSize(layer)).ParamName);
                Assert.Equal("layer", Assert.Throws<ArgumentOutOfRangeException>(() => { TState s = default; d.Hidden(ref s, layer); }).ParamName);
                Assert.Equal("layer", Assert.Throws<ArgumentOutOfRangeException>(() => { TState s = default; d.Cell(ref s, layer); }).ParamName);
            }
            Unchanged();

            // The valid layers: sizes as declared, cells only for LSTM.
            bool lstm = d.Reference.Metadata["cell"] == "lstm";
            for (int layer = 0; layer < model.LayerCount; layer++)
            {
                Assert.Equal(model.HiddenSize(layer), model.Hidden(layer).Length);
                Assert.Equal(lstm ? model.HiddenSize(layer) : 0, model.Cell(layer).Length);
            }

            // Zero steps is a valid, empty sequence.
            model.Forward(ReadOnlySpan<T>.Empty, Span<T>.Empty);
            d.Forward(ref state, ReadOnlySpan<T>.Empty, Span<T>.Empty);
            Unchanged();
            model.ResetState();
        }
    }

    [Fact]
    public void ArgumentMessagesAreSpecific()
    {
        // LstmC2Float: InputSize 7, OutputSize 3, 2 layers.
        var model = new LstmC2Float();
        LstmC2Float.State state = default;
        var e = Assert.Throws<ArgumentException>(() => model.Step(new float[6], new float[3]));
        Assert.Equal("input", e.ParamName);
        Assert.StartsWith("input has length 6, expected 7 (InputSize).", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Step(ref state, new float[7], new float[4]));
        Assert.Equal("output", e.ParamName);
        Assert.StartsWith("output has length 4, expected 3 (OutputSize).", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Forward(new float[15], new float[6]));
        Assert.Equal("inputs", e.ParamName);
        Assert.StartsWith("inputs has length 15, which is not a multiple of InputSize (7)", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Forward(ref state, new float[14], new float[9]));
        Assert.Equal("outputs", e.ParamName);
        Assert.StartsWith("outputs has length 9, expected 6 (2 steps × OutputSize 3).", e.Message);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => model.Hidden(2));
        Assert.Equal(2, range.ActualValue);
        Assert.Contains("2 recurrent layer(s)", range.Message);
    }

    // ── (d) Forward continues from the current state; ResetState ──

    [Theory]
    [MemberData(nameof(Models))]
    public void ForwardInPiecesEqualsForwardWhole(string name) => ModelDrivers.Run(name, new Pieces());

    private sealed class Pieces : IDriverTest
    {
        public void Run<TModel, TState, T>(ModelDriver<TModel, TState, T> d)
            where TModel : IRecurrentModel<T> where TState : struct where T : unmanaged
        {
            TModel model = d.Model;
            int o = model.OutputSize, n = model.InputSize;
            Scenario s = d.Reference.Scenarios[3]; // T = 64 from zero
            T[] input = Norms.From<T>(s.Input);
            int steps = s.Steps;

            model.ResetState();
            var whole = new T[steps * o];
            model.Forward(input, whole);
            Assert.True(Norms.RelativeError(Norms.ToDouble<T>(whole), s.Output) <= d.Tolerance, $"{d.Name}: whole sequence vs PyTorch");
            T[] finalState = d.Snapshot(ref d.Current(model));

            foreach (int split in new[] { 0, 1, steps / 2, steps - 1, steps })
            {
                // The model's own state.
                model.ResetState();
                var pieces = new T[steps * o];
                model.Forward(input.AsSpan(0, split * n), pieces.AsSpan(0, split * o));
                model.Forward(input.AsSpan(split * n), pieces.AsSpan(split * o));
                Assert.Equal(whole, pieces);
                Assert.Equal(finalState, d.Snapshot(ref d.Current(model)));

                // A State of its own.
                TState state = default;
                var statePieces = new T[steps * o];
                d.Forward(ref state, input.AsSpan(0, split * n), statePieces.AsSpan(0, split * o));
                d.Forward(ref state, input.AsSpan(split * n), statePieces.AsSpan(split * o));
                Assert.Equal(whole, statePieces);
                Assert.Equal(finalState, d.Snapshot(ref state));
            }

            // Three uneven pieces, then the rest one Step at a time: still the same bits.
            model.ResetState();
            var mixed = new T[steps * o];
            model.Forward(input.AsSpan(0, 5 * n), mixed.AsSpan(0, 5 * o));
            model.Forward(input.AsSpan(5 * n, 20 * n), mixed.AsSpan(5 * o, 20 * o));
            for (int t = 25; t < steps; t++) model.Step(input.AsSpan(t * n, n), mixed.AsSpan(t * o, o));
            Assert.Equal(whole, mixed);

            // ResetState returns to zeros; afterwards the model gives the from-zero outputs again.
            Assert.Contains(Norms.ToDouble<T>(d.Values(ref d.Current(model))), v => v != 0);
            model.ResetState();
            Assert.All(Norms.ToDouble<T>(d.Values(ref d.Current(model))), v => Assert.Equal(0.0, v));
            for (int layer = 0; layer < model.LayerCount; layer++)
            {
                Assert.All(Norms.ToDouble<T>(model.Hidden(layer)), v => Assert.Equal(0.0, v));
                Assert.All(Norms.ToDouble<T>(model.Cell(layer)), v => Assert.Equal(0.0, v));
            }
            var afterReset = new T[steps * o];
            model.Forward(input, afterReset);
            Assert.Equal(whole, afterReset);
            model.ResetState();

            // Writing the model's state through Hidden/Cell seeds it, exactly as a seeded State.
            Scenario r = d.Reference.Scenarios[2];
            for (int layer = 0; layer < model.LayerCount; layer++)
            {
                Norms.From<T>(r.H0[layer]).CopyTo(model.Hidden(layer));
                if (r.C0 is not null) Norms.From<T>(r.C0[layer]).CopyTo(model.Cell(layer));
            }
            TState seeded = d.Seeded(r);
            Assert.Equal(d.Snapshot(ref seeded), d.Snapshot(ref d.Current(model)));
            model.ResetState();
        }
    }
}
