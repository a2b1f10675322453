using System;

namespace RnnGen.Numerics.Tests;

// Each generated model has its own nested State struct, so code that drives several models through their
// ref-State overloads takes these delegates, bound once (before any measurement) to a model's method groups:
//   StateStep<LstmC2Float.State, float> step = model.Step;
//   StateSpan<LstmC2Float.State, float> hidden = (ref LstmC2Float.State s, int layer) => s.Hidden(layer);

/// <summary>A model's <c>Step(ref State, input, output)</c>.</summary>
internal delegate void StateStep<TState, T>(ref TState state, ReadOnlySpan<T> input, Span<T> output);

/// <summary>A model's <c>Forward(ref State, inputs, outputs)</c>.</summary>
internal delegate void StateForward<TState, T>(ref TState state, ReadOnlySpan<T> inputs, Span<T> outputs);

/// <summary><c>State.Hidden(layer)</c> or <c>State.Cell(layer)</c>.</summary>
internal delegate Span<T> StateSpan<TState, T>(ref TState state, int layer);
