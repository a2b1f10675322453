using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using RnnGen.Benchmarks.Models;

namespace RnnGen.Benchmarks.Peers.Heavy;

/// <summary>
/// ONNX Runtime on the model <see cref="OnnxModelBuilder"/> writes from RnnGen's weights: one session, 1 intra-op and
/// 1 inter-op thread, sequential execution, all graph optimizations; every input and output bound once with
/// <see cref="OrtIoBinding"/> to pinned arrays (no allocation per call on the managed side).
/// Streaming: sequence length 1 with initial_h/initial_c as inputs; two bindings alternate so that the Y_h/Y_c one
/// step writes are the initial_h/initial_c the next step reads (the state is fed back without a copy).
/// Sequence: x [128, 1, I] from zero states. Batch: x [128, 16, I] (ONNX's layout, time-major) from zero states.
/// </summary>
public sealed class OnnxRuntimePeer : Peer
{
    private readonly SessionOptions _options;
    private readonly InferenceSession _session;
    private readonly RunOptions _run = new();
    private readonly List<IDisposable> _owned = [];
    private readonly int _inputSize, _outputSize;

    private readonly float[] _stepX, _stepY;
    private readonly float[][] _stateA, _stateB;            // per state tensor (h, c of each layer), ping-pong
    private readonly OrtIoBinding _stepAToB, _stepBToA;
    private bool _flipped;

    private readonly float[] _sequenceX, _sequenceY, _batchX, _batchY;
    private readonly OrtIoBinding _sequence, _batch;

    public OnnxRuntimePeer(NetworkWeights net)
    {
        _inputSize = net.InputSize;
        _outputSize = net.OutputSize;
        ModelBytes = OnnxModelBuilder.Build(net, out IReadOnlyList<OnnxModelBuilder.StateTensor> states);
        _options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(ModelBytes, _options);

        // Streaming: x [1, 1, I], y [1, 1, O], states [1, 1, H].
        _stepX = new float[_inputSize];
        _stepY = new float[_outputSize];
        _stateA = states.Select(s => new float[s.HiddenSize]).ToArray();
        _stateB = states.Select(s => new float[s.HiddenSize]).ToArray();
        _stepAToB = Binding(_stepX, [1, 1, _inputSize], _stepY, [1, 1, _outputSize], states, 1, _stateA, _stateB);
        _stepBToA = Binding(_stepX, [1, 1, _inputSize], _stepY, [1, 1, _outputSize], states, 1, _stateB, _stateA);

        // Sequence and batch: zero initial states (never written), final states to scratch.
        int T = Shapes.SequenceSteps, N = Shapes.Streams;
        _sequenceX = new float[T * _inputSize];
        _sequenceY = new float[T * _outputSize];
        _sequence = Binding(_sequenceX, [T, 1, _inputSize], _sequenceY, [T, 1, _outputSize], states, 1,
            states.Select(s => new float[s.HiddenSize]).ToArray(), states.Select(s => new float[s.HiddenSize]).ToArray());
        _batchX = new float[T * N * _inputSize];
        _batchY = new float[T * N * _outputSize];
        _batch = Binding(_batchX, [T, N, _inputSize], _batchY, [T, N, _outputSize], states, N,
            states.Select(s => new float[N * s.HiddenSize]).ToArray(), states.Select(s => new float[N * s.HiddenSize]).ToArray());
    }

    /// <summary>The serialized ONNX model.</summary>
    public byte[] ModelBytes { get; }

    public override int InputSize => _inputSize;

    public override int OutputSize => _outputSize;

    public override BatchLayout BatchLayout => BatchLayout.TimeMajor;

    private OrtIoBinding Binding(float[] x, long[] xShape, float[] y, long[] yShape, IReadOnlyList<OnnxModelBuilder.StateTensor> states, int streams,
        float[][] initial, float[][] final)
    {
        OrtIoBinding binding = _session.CreateIoBinding();
        _owned.Add(binding);
        binding.BindInput("x", Value(x, xShape));
        binding.BindOutput("y", Value(y, yShape));
        for (int s = 0; s < states.Count; s++)
        {
            binding.BindInput(states[s].Input, Value(initial[s], [1, streams, states[s].HiddenSize]));
            binding.BindOutput(states[s].Output, Value(final[s], [1, streams, states[s].HiddenSize]));
        }
        return binding;
    }

    private OrtValue Value(float[] data, long[] shape)
    {
        OrtValue value = OrtValue.CreateTensorValueFromMemory(data, shape);   // pins data for the value's lifetime
        _owned.Add(value);
        return value;
    }

    public override void ResetState()
    {
        foreach (float[] s in _stateA) Array.Clear(s);
        foreach (float[] s in _stateB) Array.Clear(s);
        _flipped = false;
    }

    public override void Step(ReadOnlySpan<float> input, Span<float> output)
    {
        input.CopyTo(_stepX);
        _session.RunWithBinding(_run, _flipped ? _stepBToA : _stepAToB);
        _flipped = !_flipped;
        _stepY.AsSpan().CopyTo(output);
    }

    public override void ForwardFromZero(ReadOnlySpan<float> inputs, Span<float> outputs)
    {
        if (inputs.Length != _sequenceX.Length) throw new ArgumentException($"the ONNX peer is bound for {Shapes.SequenceSteps} steps", nameof(inputs));
        inputs.CopyTo(_sequenceX);
        _session.RunWithBinding(_run, _sequence);
        _sequenceY.AsSpan().CopyTo(outputs);
    }

    public override void ForwardBatchFromZero(ReadOnlySpan<float> inputs, Span<float> outputs)
    {
        inputs.CopyTo(_batchX);
        _session.RunWithBinding(_run, _batch);
        _batchY.AsSpan().CopyTo(outputs);
    }

    public override void Dispose()
    {
        foreach (IDisposable item in _owned) item.Dispose();
        _owned.Clear();
        _session.Dispose();
        _options.Dispose();
        _run.Dispose();
        base.Dispose();
    }
}
