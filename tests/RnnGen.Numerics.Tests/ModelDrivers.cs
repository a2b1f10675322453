using System;
using System.Collections.Generic;
using System.Linq;
using RnnGen.Numerics.Tests.Models;

namespace RnnGen.Numerics.Tests;

/// <summary><c>ref model.CurrentState</c>.</summary>
internal delegate ref TState StateRef<TModel, TState>(TModel model);

/// <summary><c>State.Values</c>.</summary>
internal delegate Span<T> StateValues<TState, T>(ref TState state);

/// <summary>A test written once for every model: its generic body gets the model's typed driver.</summary>
internal interface IDriverTest
{
    void Run<TModel, TState, T>(ModelDriver<TModel, TState, T> driver)
        where TModel : IRecurrentModel<T> where TState : struct where T : unmanaged;
}

/// <summary>
/// A reference model (PyTorch weights from tests/reference, loaded from the <c>reference</c> output folder) with its
/// ref-State members bound as delegates, so generic test code can use the typed <c>State</c> overloads.
/// </summary>
internal sealed class ModelDriver<TModel, TState, T>(string reference, TModel model, StateStep<TState, T> step, StateForward<TState, T> forward,
    StateSpan<TState, T> hidden, StateSpan<TState, T> cell, StateValues<TState, T> values, StateRef<TModel, TState> current)
    where TModel : IRecurrentModel<T> where TState : struct where T : unmanaged
{
    public string Name { get; } = $"{reference} {typeof(T).Name}";

    public ReferenceCase Reference { get; } = new(reference);

    public TModel Model { get; } = model;

    /// <summary><c>Step(ref State, input, output)</c>.</summary>
    public StateStep<TState, T> Step { get; } = step;

    /// <summary><c>Forward(ref State, inputs, outputs)</c>.</summary>
    public StateForward<TState, T> Forward { get; } = forward;

    /// <summary><c>State.Hidden(layer)</c>.</summary>
    public StateSpan<TState, T> Hidden { get; } = hidden;

    /// <summary><c>State.Cell(layer)</c>.</summary>
    public StateSpan<TState, T> Cell { get; } = cell;

    /// <summary><c>State.Values</c>.</summary>
    public StateValues<TState, T> Values { get; } = values;

    /// <summary><c>ref model.CurrentState</c>.</summary>
    public StateRef<TModel, TState> Current { get; } = current;

    /// <summary>Tolerance against PyTorch's float64 values (as PyTorchParityTests).</summary>
    public double Tolerance => typeof(T) == typeof(double) ? 1e-10 : 1e-5;

    /// <summary>A state seeded with the scenario's h0 (and c0).</summary>
    public TState Seeded(Scenario s)
    {
        TState state = default;
        for (int layer = 0; layer < Model.LayerCount; layer++)
        {
            Norms.From<T>(s.H0[layer]).CopyTo(Hidden(ref state, layer));
            if (s.C0 is not null) Norms.From<T>(s.C0[layer]).CopyTo(Cell(ref state, layer));
        }
        return state;
    }

    /// <summary>The state's values as an array (for bit-for-bit comparisons).</summary>
    public T[] Snapshot(ref TState state) => Values(ref state).ToArray();

    /// <summary>Deterministic pseudo-random inputs, [steps, InputSize].</summary>
    public T[] RandomInputs(int steps, int seed)
    {
        var random = new Random(seed);
        return Norms.From<T>(Enumerable.Range(0, steps * Model.InputSize).Select(_ => random.NextDouble() * 4 - 2).ToArray());
    }
}

/// <summary>The reference models the stream, argument and allocation tests run on, by name.</summary>
internal static class ModelDrivers
{
    private static ModelDriver<TModel, TState, T> Create<TModel, TState, T>(string reference,
        Func<TModel, StateStep<TState, T>> step, Func<TModel, StateForward<TState, T>> forward,
        StateSpan<TState, T> hidden, StateSpan<TState, T> cell, StateValues<TState, T> values, StateRef<TModel, TState> current)
        where TModel : IRecurrentModel<T>, new() where TState : struct where T : unmanaged
    {
        var model = new TModel();
        model.LoadSafetensors(new ReferenceCase(reference).WeightsPath);
        return new ModelDriver<TModel, TState, T>(reference, model, step(model), forward(model), hidden, cell, values, current);
    }

    // LSTM (2 layers + softmax head; 1 layer + 2 Dense), GRU reset-after and reset-before (same), SimpleRNN (tanh with
    // 2 Dense, relu with 2 layers + softmax head), each in float and double.
    private static readonly Dictionary<string, Action<IDriverTest>> s_drivers = new()
    {
        ["lstm_c2 float"] = t => t.Run(Create<LstmC2Float, LstmC2Float.State, float>("lstm_c2", m => m.Step, m => m.Forward, (ref LstmC2Float.State s, int l) => s.Hidden(l), (ref LstmC2Float.State s, int l) => s.Cell(l), (ref LstmC2Float.State s) => s.Values, m => ref m.CurrentState)),
        ["lstm_c2 double"] = t => t.Run(Create<LstmC2Double, LstmC2Double.State, double>("lstm_c2", m => m.Step, m => m.Forward, (ref LstmC2Double.State s, int l) => s.Hidden(l), (ref LstmC2Double.State s, int l) => s.Cell(l), (ref LstmC2Double.State s) => s.Values, m => ref m.CurrentState)),
        ["lstm_c3 float"] = t => t.Run(Create<LstmC3Float, LstmC3Float.State, float>("lstm_c3", m => m.Step, m => m.Forward, (ref LstmC3Float.State s, int l) => s.Hidden(l), (ref LstmC3Float.State s, int l) => s.Cell(l), (ref LstmC3Float.State s) => s.Values, m => ref m.CurrentState)),
        ["lstm_c3 double"] = t => t.Run(Create<LstmC3Double, LstmC3Double.State, double>("lstm_c3", m => m.Step, m => m.Forward, (ref LstmC3Double.State s, int l) => s.Hidden(l), (ref LstmC3Double.State s, int l) => s.Cell(l), (ref LstmC3Double.State s) => s.Values, m => ref m.CurrentState)),
        ["gru_c2 float"] = t => t.Run(Create<GruC2Float, GruC2Float.State, float>("gru_c2", m => m.Step, m => m.Forward, (ref GruC2Float.State s, int l) => s.Hidden(l), (ref GruC2Float.State s, int l) => s.Cell(l), (ref GruC2Float.State s) => s.Values, m => ref m.CurrentState)),
        ["gru_c2 double"] = t => t.Run(Create<GruC2Double, GruC2Double.State, double>("gru_c2", m => m.Step, m => m.Forward, (ref GruC2Double.State s, int l) => s.Hidden(l), (ref GruC2Double.State s, int l) => s.Cell(l), (ref GruC2Double.State s) => s.Values, m => ref m.CurrentState)),
        ["gru_c3 float"] = t => t.Run(Create<GruC3Float, GruC3Float.State, float>("gru_c3", m => m.Step, m => m.Forward, (ref GruC3Float.State s, int l) => s.Hidden(l), (ref GruC3Float.State s, int l) => s.Cell(l), (ref GruC3Float.State s) => s.Values, m => ref m.CurrentState)),
        ["gru_c3 double"] = t => t.Run(Create<GruC3Double, GruC3Double.State, double>("gru_c3", m => m.Step, m => m.Forward, (ref GruC3Double.State s, int l) => s.Hidden(l), (ref GruC3Double.State s, int l) => s.Cell(l), (ref GruC3Double.State s) => s.Values, m => ref m.CurrentState)),
        ["gru_rb_c2 float"] = t => t.Run(Create<GruRbC2Float, GruRbC2Float.State, float>("gru_rb_c2", m => m.Step, m => m.Forward, (ref GruRbC2Float.State s, int l) => s.Hidden(l), (ref GruRbC2Float.State s, int l) => s.Cell(l), (ref GruRbC2Float.State s) => s.Values, m => ref m.CurrentState)),
        ["gru_rb_c2 double"] = t => t.Run(Create<GruRbC2Double, GruRbC2Double.State, double>("gru_rb_c2", m => m.Step, m => m.Forward, (ref GruRbC2Double.State s, int l) => s.Hidden(l), (ref GruRbC2Double.State s, int l) => s.Cell(l), (ref GruRbC2Double.State s) => s.Values, m => ref m.CurrentState)),
        ["gru_rb_c3 float"] = t => t.Run(Create<GruRbC3Float, GruRbC3Float.State, float>("gru_rb_c3", m => m.Step, m => m.Forward, (ref GruRbC3Float.State s, int l) => s.Hidden(l), (ref GruRbC3Float.State s, int l) => s.Cell(l), (ref GruRbC3Float.State s) => s.Values, m => ref m.CurrentState)),
        ["gru_rb_c3 double"] = t => t.Run(Create<GruRbC3Double, GruRbC3Double.State, double>("gru_rb_c3", m => m.Step, m => m.Forward, (ref GruRbC3Double.State s, int l) => s.Hidden(l), (ref GruRbC3Double.State s, int l) => s.Cell(l), (ref GruRbC3Double.State s) => s.Values, m => ref m.CurrentState)),
        ["rnn_tanh_c3 float"] = t => t.Run(Create<RnnTanhC3Float, RnnTanhC3Float.State, float>("rnn_tanh_c3", m => m.Step, m => m.Forward, (ref RnnTanhC3Float.State s, int l) => s.Hidden(l), (ref RnnTanhC3Float.State s, int l) => s.Cell(l), (ref RnnTanhC3Float.State s) => s.Values, m => ref m.CurrentState)),
        ["rnn_tanh_c3 double"] = t => t.Run(Create<RnnTanhC3Double, RnnTanhC3Double.State, double>("rnn_tanh_c3", m => m.Step, m => m.Forward, (ref RnnTanhC3Double.State s, int l) => s.Hidden(l), (ref RnnTanhC3Double.State s, int l) => s.Cell(l), (ref RnnTanhC3Double.State s) => s.Values, m => ref m.CurrentState)),
        ["rnn_relu_c2 float"] = t => t.Run(Create<RnnReluC2Float, RnnReluC2Float.State, float>("rnn_relu_c2", m => m.Step, m => m.Forward, (ref RnnReluC2Float.State s, int l) => s.Hidden(l), (ref RnnReluC2Float.State s, int l) => s.Cell(l), (ref RnnReluC2Float.State s) => s.Values, m => ref m.CurrentState)),
        ["rnn_relu_c2 double"] = t => t.Run(Create<RnnReluC2Double, RnnReluC2Double.State, double>("rnn_relu_c2", m => m.Step, m => m.Forward, (ref RnnReluC2Double.State s, int l) => s.Hidden(l), (ref RnnReluC2Double.State s, int l) => s.Cell(l), (ref RnnReluC2Double.State s) => s.Values, m => ref m.CurrentState)),
    };

    public static IEnumerable<string> Names => s_drivers.Keys;

    public static void Run(string name, IDriverTest test) => s_drivers[name](test);
}
