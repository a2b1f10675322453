using System;
using System.Collections.Generic;
using System.Linq;
using RnnGen.Benchmarks.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RnnGen.Benchmarks.Peers.Heavy;

/// <summary>
/// TorchSharp (libtorch 2.10 CPU) as a PyTorch user writes it: one <c>nn.LSTM</c>/<c>nn.GRU</c>/<c>nn.RNN</c> with
/// <c>num_layers</c> = the stack (the six shapes stack one cell type of one width), an <c>nn.Linear</c> per Dense layer,
/// weights copied from RnnGen's state_dict-layout tensors (no gate reordering: the layout is PyTorch's), 1 intra-op and
/// 1 inter-op thread, <c>no_grad</c> for inference, a dispose scope per call. It allocates managed wrappers per call.
/// On Debian 12 it loads only through <see cref="LibTorchSharpPatch"/>.
/// </summary>
public sealed class TorchSharpNetwork : IDisposable
{
    private static readonly object ThreadsLock = new();
    private static bool s_threadsSet;

    public TorchSharpNetwork(NetworkWeights net)
    {
        SetThreads();
        RecurrentWeights first = net.Layers[0];
        if (net.Layers.Any(l => l.Cell != first.Cell || l.HiddenSize != first.HiddenSize))
            throw new NotSupportedException("the TorchSharp peer expects one cell type and one hidden size for the whole stack");
        Cell = first.Cell;
        Layers = net.Layers.Length;
        HiddenSize = first.HiddenSize;
        InputSize = net.InputSize;
        OutputSize = net.OutputSize;
        Recurrent = Cell switch
        {
            CellType.Lstm => nn.LSTM(InputSize, HiddenSize, numLayers: Layers),
            CellType.Gru => nn.GRU(InputSize, HiddenSize, numLayers: Layers),
            _ => nn.RNN(InputSize, HiddenSize, numLayers: Layers, nonLinearity: nn.NonLinearities.Tanh),
        };
        Head = net.Head.Select(d => nn.Linear(d.InputSize, d.OutputSize)).ToArray();
        using (no_grad())
        {
            for (int k = 0; k < Layers; k++)
            {
                RecurrentWeights layer = net.Layers[k];
                Copy(Parameter($"weight_ih_l{k}"), layer.WeightIh);
                Copy(Parameter($"weight_hh_l{k}"), layer.WeightHh);
                Copy(Parameter($"bias_ih_l{k}"), layer.BiasIh);
                Copy(Parameter($"bias_hh_l{k}"), layer.BiasHh);
            }
            for (int d = 0; d < Head.Length; d++)
            {
                Copy(Head[d].weight!, net.Head[d].Weight);
                Copy(Head[d].bias!, net.Head[d].Bias);
            }
        }
    }

    public CellType Cell { get; }

    public int Layers { get; }

    public int HiddenSize { get; }

    public int InputSize { get; }

    public int OutputSize { get; }

    public nn.Module Recurrent { get; }

    public Linear[] Head { get; }

    /// <summary>All parameters, recurrent first, in the same order as RnnGen's layout (see <see cref="ByRnnGenName"/>).</summary>
    public IEnumerable<Parameter> Parameters => Recurrent.parameters().Concat(Head.SelectMany(h => h.parameters()));

    /// <summary>The TorchSharp parameter of each RnnGen tensor name.</summary>
    public Parameter ByRnnGenName(ModelArchitecture architecture, string name)
    {
        foreach (RecurrentLayerInfo layer in architecture.Layers)
        {
            if (name == layer.WeightIhName) return Parameter($"weight_ih_l{layer.Index}");
            if (name == layer.WeightHhName) return Parameter($"weight_hh_l{layer.Index}");
            if (name == layer.BiasIhName) return Parameter($"bias_ih_l{layer.Index}");
            if (name == layer.BiasHhName) return Parameter($"bias_hh_l{layer.Index}");
        }
        foreach (DenseLayerInfo dense in architecture.Head)
        {
            if (name == dense.WeightName) return Head[dense.Index].weight!;
            if (name == dense.BiasName) return Head[dense.Index].bias!;
        }
        throw new KeyNotFoundException(name);
    }

    private Parameter Parameter(string name) => Recurrent.get_parameter(name) ?? throw new KeyNotFoundException(name);

    /// <summary>x [T, N, I] and the states [L, N, H] → y [T, N, O] and the final states (h, and c for LSTM).</summary>
    public Tensor Forward(Tensor x, Tensor h, Tensor? c, out Tensor hn, out Tensor? cn)
    {
        Tensor y;
        switch (Recurrent)
        {
            case LSTM lstm:
                (y, hn, cn) = lstm.call(x, (h, c!));
                break;
            case GRU gru:
                (y, hn) = gru.call(x, h);
                cn = null;
                break;
            case RNN rnn:
                (y, hn) = rnn.call(x, h);
                cn = null;
                break;
            default:
                throw new InvalidOperationException();
        }
        foreach (Linear dense in Head) y = dense.call(y);
        return y;
    }

    public Tensor ZeroState(int streams) => zeros([Layers, streams, HiddenSize]);

    private static void Copy(Parameter parameter, float[] values)
    {
        if (parameter.numel() != values.Length) throw new InvalidOperationException($"parameter of {parameter.numel()} values, {values.Length} given");
        using Tensor source = tensor(values, parameter.shape);
        parameter.copy_(source);
    }

    private static void SetThreads()
    {
        lock (ThreadsLock)
        {
            if (s_threadsSet) return;
            LibTorchSharpPatch.Apply();         // before the first use of torch loads the native library
            torch.set_num_threads(1);
            torch.set_num_interop_threads(1);   // allowed once per process, before any inter-op work
            s_threadsSet = true;
        }
    }

    public void Dispose()
    {
        Recurrent.Dispose();
        foreach (Linear dense in Head) dense.Dispose();
    }
}

/// <summary>The TorchSharp network as a benchmark peer (inference).</summary>
public sealed class TorchSharpPeer : Peer
{
    private readonly TorchSharpNetwork _net;
    private readonly Tensor _stepX, _sequenceX, _batchX;
    private readonly Tensor _h, _c;                          // the streaming state [L, 1, H]
    private readonly bool _lstm;

    public TorchSharpPeer(NetworkWeights net)
    {
        _net = new TorchSharpNetwork(net);
        _lstm = _net.Cell == CellType.Lstm;
        _stepX = zeros([1, 1, net.InputSize]);
        _sequenceX = zeros([Shapes.SequenceSteps, 1, net.InputSize]);
        _batchX = zeros([Shapes.SequenceSteps, Shapes.Streams, net.InputSize]);
        _h = _net.ZeroState(1);
        _c = _net.ZeroState(1);
    }

    public override int InputSize => _net.InputSize;

    public override int OutputSize => _net.OutputSize;

    public override BatchLayout BatchLayout => BatchLayout.TimeMajor;

    public override void ResetState()
    {
        using (no_grad())
        {
            _h.zero_();
            _c.zero_();
        }
    }

    public override void Step(ReadOnlySpan<float> input, Span<float> output)
    {
        using DisposeScope scope = NewDisposeScope();
        using IDisposable noGrad = no_grad();
        _stepX.data<float>().CopyFrom(input, 0, 0);
        Tensor y = _net.Forward(_stepX, _h, _lstm ? _c : null, out Tensor hn, out Tensor? cn);
        _h.copy_(hn);
        if (cn is not null) _c.copy_(cn);
        y.data<float>().CopyTo(output, 0, 0);
    }

    public override void ForwardFromZero(ReadOnlySpan<float> inputs, Span<float> outputs) => Run(_sequenceX, 1, inputs, outputs);

    public override void ForwardBatchFromZero(ReadOnlySpan<float> inputs, Span<float> outputs) => Run(_batchX, Shapes.Streams, inputs, outputs);

    private void Run(Tensor x, int streams, ReadOnlySpan<float> inputs, Span<float> outputs)
    {
        using DisposeScope scope = NewDisposeScope();
        using IDisposable noGrad = no_grad();
        x.data<float>().CopyFrom(inputs, 0, 0);
        Tensor h = _net.ZeroState(streams), c = _net.ZeroState(streams);
        Tensor y = _net.Forward(x, h, _lstm ? c : null, out _, out _);
        y.data<float>().CopyTo(outputs, 0, 0);
    }

    public override void Dispose()
    {
        _net.Dispose();
        _stepX.Dispose();
        _sequenceX.Dispose();
        _batchX.Dispose();
        _h.Dispose();
        _c.Dispose();
        base.Dispose();
    }
}

/// <summary>
/// One TorchSharp training step as in PyTorch: zero_grad, forward over the window from zero state, MSELoss, backward,
/// Adam (lr 1e-3, PyTorch's defaults otherwise). <see cref="Verify"/> compares its loss and gradients with RnnGen's.
/// </summary>
public sealed class TorchSharpTrainer : IDisposable
{
    private readonly TorchSharpNetwork _net;
    private readonly Tensor _x, _target;
    private readonly MSELoss _loss;
    private readonly Adam _adam;

    public TorchSharpTrainer(NetworkWeights net, float[] inputs, float[] targets)
    {
        _net = new TorchSharpNetwork(net);                       // first: it makes the native library loadable
        _loss = nn.MSELoss();
        int steps = inputs.Length / net.InputSize;
        _x = tensor(inputs, [steps, 1, net.InputSize]);
        _target = tensor(targets, [steps, 1, net.OutputSize]);
        _adam = optim.Adam(_net.Parameters, lr: 1e-3);
    }

    public float TrainStep()
    {
        using DisposeScope scope = NewDisposeScope();
        _adam.zero_grad();
        Tensor y = _net.Forward(_x, _net.ZeroState(1), _net.Cell == CellType.Lstm ? _net.ZeroState(1) : null, out _, out _);
        Tensor loss = _loss.call(y, _target);
        loss.backward();
        _adam.step();
        return loss.item<float>();
    }

    /// <summary>
    /// Runs one step's forward and backward on both (without the update) and throws unless the losses agree to 1e-5
    /// relative and every gradient to 1e-4 of the largest one (RnnGen's from ForwardTraining/Backward).
    /// </summary>
    public static float Verify(IRecurrentModel<float> model, float[] inputs, float[] targets)
    {
        using var trainer = new TorchSharpTrainer(NetworkWeights.From(model), inputs, targets);
        using DisposeScope scope = NewDisposeScope();
        TorchSharpNetwork net = trainer._net;
        Tensor y = net.Forward(trainer._x, net.ZeroState(1), net.Cell == CellType.Lstm ? net.ZeroState(1) : null, out _, out _);
        Tensor loss = trainer._loss.call(y, trainer._target);
        loss.backward();
        float torchLoss = loss.item<float>();

        model.ResetState();
        model.ZeroGradients();
        float[] outputs = new float[targets.Length], outputGradients = new float[targets.Length];
        model.ForwardTraining(inputs, outputs);
        float rnnGenLoss = Losses.MeanSquaredError<float>(outputs, targets, outputGradients);
        model.Backward(outputGradients);
        model.ResetState();
        if (!(MathF.Abs(torchLoss - rnnGenLoss) <= 1e-5f * MathF.Max(1, MathF.Abs(rnnGenLoss))))
            throw new InvalidOperationException($"TorchSharp training: loss {torchLoss:R}, RnnGen {rnnGenLoss:R}");

        float largest = System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(model.Gradients);
        float worst = 0;
        foreach (ParameterInfo info in model.ParameterLayout)
        {
            float[] torchGradient = net.ByRnnGenName(model.Architecture, info.Name).grad!.data<float>().ToArray();
            ReadOnlySpan<float> expected = model.Gradient(info.Name);
            for (int i = 0; i < expected.Length; i++)
            {
                float difference = MathF.Abs(expected[i] - torchGradient[i]);
                if (!(difference <= 1e-4f * MathF.Max(1, MathF.Abs(largest))))
                    throw new InvalidOperationException($"TorchSharp training: gradient of {info.Name}[{i}] is {torchGradient[i]:R}, RnnGen {expected[i]:R}");
                worst = MathF.Max(worst, difference);
            }
        }
        return worst;
    }

    public void Dispose()
    {
        _net.Dispose();
        _x.Dispose();
        _target.Dispose();
        _loss.Dispose();
        _adam.Dispose();
    }
}
