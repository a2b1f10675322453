using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace RnnGen.Import.Onnx;

/// <summary>
/// Finds the chain graph input → (layout ops) → RNN/GRU/LSTM node → (layout ops) → … → Dense head → graph output in
/// an ONNX graph, checks every node on it, and converts the weights to PyTorch layout.
/// </summary>
/// <remarks>
/// Between the first recurrent node and the output, the axes of the tensor that flows along the chain are tracked
/// symbolically (time, batch, direction, 1, rows, features) through Transpose, Squeeze, Unsqueeze, Reshape, Flatten,
/// Identity and Dropout, so that a recurrent node is known to read [time, batch, features] (layout 0) or
/// [batch, time, features] (layout 1) and a Dense layer to contract the feature axis. Ops between the graph input and
/// the first node only rearrange the caller's input (RnnGen's input is one batch entry of the first node's X), so
/// there only layout ops are allowed and nothing is tracked.
/// </remarks>
internal sealed class OnnxGraphConverter
{
    // Axis labels.
    private const char Time = 'T', Batch = 'N', Direction = 'D', Unit = '1', Rows = 'R', Features = 'F';

    private readonly OnnxGraphProto _graph;
    private readonly long _opset;
    private readonly ModelArchitecture _architecture;
    private readonly IReadOnlyList<ParameterInfo> _layout;
    private readonly Dictionary<string, OnnxTensorProto> _constants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OnnxNodeProto> _producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(OnnxNodeProto Node, int Slot)>> _consumers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _runtimeInputs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _graphOutputs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _stateOutputs = new(StringComparer.Ordinal);

    private readonly List<(OnnxNodeProto Node, int Layout)> _recurrent = [];
    private readonly List<DensePlan> _dense = [];

    private sealed class DensePlan
    {
        public required OnnxNodeProto Linear;
        public required int In, Out;
        public required double[] Weight; // PyTorch [Out, In]
        public double[]? Bias;
        public OnnxNodeProto? BiasNode;
        public Activation Activation;
        public OnnxNodeProto? ActivationNode;

        public string Describe() => Linear.Describe() + (BiasNode is null ? "" : " + " + BiasNode.Describe()) + (ActivationNode is null ? "" : " + " + ActivationNode.Describe());
    }

    public OnnxGraphConverter(OnnxModelProto model, ModelArchitecture architecture, IReadOnlyList<ParameterInfo> layout)
    {
        _graph = model.Graph!;
        _architecture = architecture;
        _layout = layout;
        if (!model.Opsets.TryGetValue("ai.onnx", out _opset))
            throw new InvalidDataException("the model imports no version of the default ONNX operator set (ai.onnx)");
        if (_opset < 7)
            throw new InvalidDataException($"the model uses ai.onnx opset {_opset}; RnnGen reads opset 7 and later (the LSTM, GRU and RNN definitions before 7 differ)");
    }

    public PyTorchTensors Convert()
    {
        if (_architecture.VocabularySize > 0)
            throw new InvalidDataException("the model has an [Embedding]; the ONNX importer reads recurrent and Dense layers only (import the embedding table separately through Parameter(\"" + _architecture.EmbeddingModule + ".weight\"))");
        Index();
        Walk();

        var tensors = new PyTorchTensors(_layout);
        string declared = $"the model declares {GateOrder.Declarations(_architecture)}";
        if (_recurrent.Count != _architecture.Layers.Count)
            throw new InvalidDataException($"the graph has {_recurrent.Count} recurrent layer(s) ({string.Join(", ", _recurrent.Select(r => r.Node.Describe()))}), {declared} with {_architecture.Layers.Count}; a layer's weights are missing or extra");
        for (int k = 0; k < _recurrent.Count; k++) Recurrent(_recurrent[k].Node, _architecture.Layers[k], tensors);
        if (_dense.Count != _architecture.Head.Count)
            throw new InvalidDataException($"the graph has {_dense.Count} Dense layer(s) after the recurrent layers ({(_dense.Count == 0 ? "none" : string.Join(", ", _dense.Select(d => d.Describe())))}), {declared} with {_architecture.Head.Count}");
        for (int k = 0; k < _dense.Count; k++) Dense(_dense[k], _architecture.Head[k], tensors);
        return tensors;
    }

    // ----------------------------------------------------------------------------------------------------------
    // Graph indexes
    // ----------------------------------------------------------------------------------------------------------

    private void Index()
    {
        foreach (OnnxTensorProto initializer in _graph.Initializers) _constants[initializer.Name] = initializer;
        foreach (OnnxValueInfo input in _graph.Inputs)
            if (!_constants.ContainsKey(input.Name)) _runtimeInputs.Add(input.Name);
        foreach (OnnxValueInfo output in _graph.Outputs) _graphOutputs.Add(output.Name);
        foreach (OnnxNodeProto node in _graph.Nodes)
        {
            foreach (string output in node.Outputs)
                if (output.Length > 0) _producers[output] = node;
            for (int slot = 0; slot < node.Inputs.Count; slot++)
            {
                string input = node.Inputs[slot];
                if (input.Length == 0) continue;
                if (!_consumers.TryGetValue(input, out var list)) _consumers[input] = list = [];
                list.Add((node, slot));
            }
            if (node.OpType == "Constant" && IsDefaultDomain(node) && node.Output(0).Length > 0 && ConstantNodeValue(node) is { } value)
                _constants[node.Output(0)] = value;
        }
    }

    private static bool IsDefaultDomain(OnnxNodeProto node) => node.Domain is "" or "ai.onnx";

    private static OnnxTensorProto? ConstantNodeValue(OnnxNodeProto node)
    {
        if (node.Attributes.TryGetValue("value", out OnnxAttributeProto? value) && value.T is not null) return value.T;
        var tensor = new OnnxTensorProto();
        if (node.Attributes.TryGetValue("value_float", out value)) { tensor.DataType = OnnxTensorProto.Float; tensor.FloatData.Add(value.F); return tensor; }
        if (node.Attributes.TryGetValue("value_floats", out value)) { tensor.DataType = OnnxTensorProto.Float; tensor.Dims.Add(value.Floats.Count); tensor.FloatData.AddRange(value.Floats); return tensor; }
        if (node.Attributes.TryGetValue("value_int", out value)) { tensor.DataType = OnnxTensorProto.Int64; tensor.Int64Data.Add(value.I); return tensor; }
        if (node.Attributes.TryGetValue("value_ints", out value)) { tensor.DataType = OnnxTensorProto.Int64; tensor.Dims.Add(value.Ints.Count); tensor.Int64Data.AddRange(value.Ints); return tensor; }
        return null;
    }

    /// <summary>Consumers of a tensor, leaving out Shape nodes (they read only its dimensions).</summary>
    private List<(OnnxNodeProto Node, int Slot)> Consumers(string tensor) =>
        _consumers.TryGetValue(tensor, out var list) ? list.Where(c => !(c.Node.OpType == "Shape" && IsDefaultDomain(c.Node))).ToList() : [];

    private static bool IsRecurrent(OnnxNodeProto node) => IsDefaultDomain(node) && node.OpType is "LSTM" or "GRU" or "RNN";

    private static bool IsLayoutOp(OnnxNodeProto node) =>
        IsDefaultDomain(node) && node.OpType is "Identity" or "Dropout" or "Transpose" or "Squeeze" or "Unsqueeze" or "Reshape" or "Flatten";

    // ----------------------------------------------------------------------------------------------------------
    // The chain
    // ----------------------------------------------------------------------------------------------------------

    private void Walk()
    {
        OnnxNodeProto? first = _graph.Nodes.FirstOrDefault(IsRecurrent);
        if (first is null)
            throw new InvalidDataException($"the graph has no LSTM, GRU or RNN node (its operators: {string.Join(", ", _graph.Nodes.Select(n => n.OpType).Distinct())})");

        // Back from the first recurrent node's X to a graph input, through layout ops only.
        string current = first.Input(0);
        int walked = 0;
        while (_producers.TryGetValue(current, out OnnxNodeProto? producer))
        {
            CheckWalk(ref walked, current);
            if (!IsLayoutOp(producer))
                throw new InvalidDataException($"X of {first.Describe()} is computed by {producer.Describe()}; RnnGen's input goes straight to the first recurrent layer (only Transpose, Squeeze, Unsqueeze, Reshape, Flatten, Identity and Dropout may rearrange it)");
            current = producer.Input(0);
        }
        if (!_runtimeInputs.Contains(current))
            throw new InvalidDataException($"X of {first.Describe()} comes from '{current}', which is not a graph input");

        List<char>? labels = null; // untracked until the first recurrent node
        int features = _architecture.InputSize;
        DensePlan? pending = null;
        string? final = null;
        walked = 0;
        while (final is null)
        {
            CheckWalk(ref walked, current);
            List<(OnnxNodeProto Node, int Slot)> consumers = Consumers(current);
            bool isOutput = _graphOutputs.Contains(current);
            if (consumers.Count == 0)
            {
                if (!isOutput)
                    throw new InvalidDataException($"the chain ends at '{current}', which is not a graph output");
                final = current;
                break;
            }
            if (consumers.Count > 1)
                throw new InvalidDataException($"'{current}' feeds {consumers.Count} nodes ({string.Join(", ", consumers.Select(c => c.Node.Describe()))}); RnnGen computes one chain of layers");
            if (isOutput && !_stateOutputs.Contains(current))
                throw new InvalidDataException($"graph output '{current}' is an intermediate value (it also feeds {consumers[0].Node.Describe()}); RnnGen computes one output");

            (OnnxNodeProto node, int slot) = consumers[0];
            if (IsRecurrent(node))
            {
                if (slot != 0)
                    throw new InvalidDataException($"'{current}' feeds {node.Describe()} as input {slot} ({InputRole(node, slot)}); a layer's output may only be the next layer's X");
                if (pending is not null || _dense.Count > 0)
                    throw new InvalidDataException($"{node.Describe()} follows a Dense layer ({(pending ?? _dense[^1]).Describe()}); RnnGen has recurrent layers first, then the Dense head");
                int layout = CheckSupported(node);
                if (labels is not null) CheckRecurrentInput(node, layout, labels);
                _recurrent.Add((node, layout));
                for (int i = 0; i < 3; i++)
                    if (node.Output(i).Length > 0) _stateOutputs.Add(node.Output(i));
                (current, labels) = Continue(node, layout);
                features = HiddenSize(node);
                continue;
            }

            if (labels is null)
            {
                if (!IsLayoutOp(node))
                    throw new InvalidDataException($"{node.Describe()} is between the graph input and the first recurrent node; only layout operators may be there");
                current = node.Output(0);
                continue;
            }

            if (IsLayoutOp(node))
            {
                if (slot != 0)
                    throw new InvalidDataException($"'{current}' is input {slot} of {node.Describe()}, not its data input");
                labels = Rearrange(node, labels, ref features);
                current = node.Output(0);
                continue;
            }

            if (!IsDefaultDomain(node))
                throw new InvalidDataException($"{node.Describe()} is from operator domain '{node.Domain}', which RnnGen does not compute");
            switch (node.OpType)
            {
                case "MatMul" or "Gemm":
                    if (pending is not null) _dense.Add(pending);
                    pending = Linear(node, slot, labels, features);
                    features = pending.Out;
                    break;
                case "Add":
                    if (pending is null || pending.Bias is not null || pending.ActivationNode is not null)
                        throw new InvalidDataException($"{node.Describe()} adds to '{current}', which is not the output of a MatMul without a bias; RnnGen's head is Dense layers (MatMul [+ Add] or Gemm)");
                    (pending.Bias, pending.BiasNode) = (AddedBias(node, slot, labels, pending.Out), node);
                    break;
                case "Tanh" or "Sigmoid" or "Relu" or "Softmax":
                    if (pending is null)
                        throw new InvalidDataException($"{node.Describe()} applies {node.OpType} to a recurrent layer's output; RnnGen has activations only on Dense layers (after MatMul or Gemm)");
                    if (pending.ActivationNode is not null)
                        throw new InvalidDataException($"{node.Describe()} follows {pending.ActivationNode.Describe()}; RnnGen has one activation per Dense layer");
                    if (node.OpType == "Softmax") CheckSoftmaxAxis(node, labels);
                    pending.Activation = node.OpType switch { "Tanh" => Activation.Tanh, "Sigmoid" => Activation.Sigmoid, "Relu" => Activation.Relu, _ => Activation.Softmax };
                    pending.ActivationNode = node;
                    break;
                default:
                    throw new InvalidDataException($"{node.Describe()} is on the path to the output, and RnnGen does not compute {node.OpType} " +
                        "(after the recurrent layers it has Dense layers: MatMul [+ Add] or Gemm, then Tanh, Sigmoid, Relu or Softmax; and Transpose, Squeeze, Unsqueeze, Reshape, Flatten, Identity, Dropout)");
            }
            current = node.Output(0);
        }
        if (pending is not null) _dense.Add(pending);

        foreach (OnnxNodeProto node in _graph.Nodes)
            if (IsRecurrent(node) && !_recurrent.Any(r => ReferenceEquals(r.Node, node)))
                throw new InvalidDataException($"{node.Describe()} is not on the chain from the graph input to '{final}'; RnnGen computes one chain of layers");
        foreach (string output in _graphOutputs)
            if (output != final && !_stateOutputs.Contains(output))
                throw new InvalidDataException($"graph output '{output}' is not computed by the chain that ends at '{final}'; RnnGen computes one output");
    }

    /// <summary>The hidden size a recurrent node produces, from its R [1, G·H, H] (-1 when R is not a constant; refused later).</summary>
    private int HiddenSize(OnnxNodeProto node) =>
        _constants.TryGetValue(node.Input(2), out OnnxTensorProto? r) && r.Dims.Count == 3 ? (int)r.Dims[2] : -1;

    private static string InputRole(OnnxNodeProto node, int slot) =>
        slot switch { 0 => "X", 1 => "W", 2 => "R", 3 => "B", 4 => "sequence_lens", 5 => "initial_h", 6 => "initial_c", 7 => "P", _ => "input " + slot };

    /// <summary>The tensor the chain follows out of a recurrent node (Y, or Y_h when only it is used), and its axes.</summary>
    private (string, List<char>) Continue(OnnxNodeProto node, int layout)
    {
        string y = node.Output(0), yh = node.Output(1), yc = node.Output(2);
        int usesY = y.Length > 0 ? Consumers(y).Count : 0, usesYh = yh.Length > 0 ? Consumers(yh).Count : 0;
        if (yc.Length > 0 && Consumers(yc).Count > 0)
            throw new InvalidDataException($"Y_c (the cell state) of {node.Describe()} feeds {Consumers(yc)[0].Node.Describe()}; RnnGen passes only the hidden state on");
        if (usesY > 0 && usesYh > 0)
            throw new InvalidDataException($"both Y and Y_h of {node.Describe()} feed other nodes; RnnGen computes one chain of layers");
        List<char> sequence = layout == 0 ? [Time, Direction, Batch, Features] : [Batch, Time, Direction, Features];
        List<char> last = layout == 0 ? [Direction, Batch, Features] : [Batch, Direction, Features];
        if (usesY > 0 || (y.Length > 0 && _graphOutputs.Contains(y))) return (y, sequence);
        if (yh.Length > 0 && (usesYh > 0 || _graphOutputs.Contains(yh))) return (yh, last);
        throw new InvalidDataException($"no output of {node.Describe()} reaches a graph output");
    }

    private void CheckRecurrentInput(OnnxNodeProto node, int layout, List<char> labels)
    {
        bool ok = labels.Count == 3 && labels[2] == Features &&
            (layout == 0 ? labels[0] == Time && IsBatchLike(labels[1]) : IsBatchLike(labels[0]) && labels[1] == Time);
        if (!ok)
            throw new InvalidDataException($"X of {node.Describe()} (layout={layout}) has axes {Text(labels)}, but it needs {(layout == 0 ? "[time, batch, features]" : "[batch, time, features]")}: " +
                "the operators between the previous layer and this node do not pass the sequence on (the usual link is a Squeeze of the direction axis of the previous Y)");
    }

    private static bool IsBatchLike(char label) => label is Batch or Unit or Direction or Rows;

    private static string Text(List<char> labels) => "[" + string.Join(", ", labels.Select(l => l switch
    {
        Time => "time", Batch => "batch", Direction => "direction", Unit => "1", Rows => "rows", Features => "features", _ => "?",
    })) + "]";

    // ----------------------------------------------------------------------------------------------------------
    // Layout operators
    // ----------------------------------------------------------------------------------------------------------

    private List<char> Rearrange(OnnxNodeProto node, List<char> labels, ref int features)
    {
        int rank = labels.Count;
        switch (node.OpType)
        {
            case "Identity":
                return labels;
            case "Dropout":
                if (node.Input(2).Length > 0 && (!_constants.TryGetValue(node.Input(2), out OnnxTensorProto? mode) || mode.ToInt64s(out _) is not { } m || m.Any(v => v != 0)))
                    throw new InvalidDataException($"{node.Describe()} may run in training mode (training_mode is not a constant false); RnnGen's inference has no dropout");
                return labels;
            case "Transpose":
            {
                long[] perm = node.Attributes.TryGetValue("perm", out OnnxAttributeProto? p) ? p.Ints.ToArray() : Enumerable.Range(0, rank).Reverse().Select(i => (long)i).ToArray();
                if (perm.Length != rank || perm.Distinct().Count() != rank || perm.Any(v => v < 0 || v >= rank))
                    throw new InvalidDataException($"{node.Describe()} has perm [{string.Join(", ", perm)}] for a tensor of rank {rank}");
                return perm.Select(v => labels[(int)v]).ToList();
            }
            case "Squeeze":
            {
                long[] axes = Axes(node) ?? throw new InvalidDataException($"{node.Describe()} has no axes: RnnGen cannot tell which axes of {Text(labels)} it removes");
                var removed = new HashSet<int>(axes.Select(a => Normalize(node, a, rank)));
                foreach (int axis in removed)
                    if (labels[axis] is Time or Features or Rows)
                        throw new InvalidDataException($"{node.Describe()} removes axis {axis} of {Text(labels)}, the {Text([labels[axis]]).Trim('[', ']')} axis");
                return labels.Where((_, i) => !removed.Contains(i)).ToList();
            }
            case "Unsqueeze":
            {
                long[] axes = Axes(node) ?? throw new InvalidDataException($"{node.Describe()} has no axes");
                int outRank = rank + axes.Length;
                var result = new List<char>(labels);
                foreach (int axis in axes.Select(a => Normalize(node, a, outRank)).OrderBy(a => a)) result.Insert(axis, Unit);
                return result;
            }
            case "Flatten":
            {
                long axis = node.Attributes.TryGetValue("axis", out OnnxAttributeProto? a) ? a.I : 1;
                if (Normalize(node, axis, rank + 1) != rank - 1)
                    throw new InvalidDataException($"{node.Describe()} (axis={axis}) merges the feature axis of {Text(labels)} with others");
                return [Rows, Features];
            }
            case "Reshape":
            {
                long[] shape = IntConstant(node, 1, "shape");
                bool allowZero = node.Attributes.TryGetValue("allowzero", out OnnxAttributeProto? z) && z.I != 0;
                var result = new List<char>();
                for (int i = 0; i < shape.Length; i++)
                {
                    long v = shape[i];
                    if (v == 0 && !allowZero)
                    {
                        if (i >= rank) throw new InvalidDataException($"{node.Describe()} copies axis {i} of a tensor of rank {rank}");
                        result.Add(labels[i]);
                    }
                    else result.Add(v == 1 ? Unit : Rows);
                }
                long lastValue = shape.Length == 0 ? 0 : shape[^1];
                bool keepsFeatures = shape.Length > 0 && labels[^1] == Features &&
                    ((lastValue == 0 && !allowZero && shape.Length == rank) || (features > 0 && lastValue == features));
                if (!keepsFeatures || result.Take(result.Count - 1).Contains(Features))
                    throw new InvalidDataException($"{node.Describe()} reshapes {Text(labels)} to [{string.Join(", ", shape)}]: RnnGen needs the feature axis ({(features > 0 ? features.ToString(CultureInfo.InvariantCulture) : "the last")}) kept whole and last");
                result[^1] = Features;
                return result;
            }
            default:
                throw new InvalidOperationException(node.OpType);
        }
    }

    private long[]? Axes(OnnxNodeProto node)
    {
        if (node.Attributes.TryGetValue("axes", out OnnxAttributeProto? axes)) return axes.Ints.ToArray();
        if (node.Input(1).Length > 0) return IntConstant(node, 1, "axes");
        return null;
    }

    private static int Normalize(OnnxNodeProto node, long axis, int rank)
    {
        long normalized = axis < 0 ? axis + rank : axis;
        if (normalized < 0 || normalized >= rank)
            throw new InvalidDataException($"{node.Describe()} refers to axis {axis} of a tensor of rank {rank}");
        return (int)normalized;
    }

    private void CheckSoftmaxAxis(OnnxNodeProto node, List<char> labels)
    {
        // Opset 13 and later: softmax along axis (default -1). Before: the input is flattened to 2-D at axis
        // (default 1) and softmax runs over the second part, which is the last axis alone only when axis = rank - 1.
        long axis = node.Attributes.TryGetValue("axis", out OnnxAttributeProto? a) ? a.I : _opset >= 13 ? -1 : 1;
        if (Normalize(node, axis, labels.Count) != labels.Count - 1)
            throw new InvalidDataException($"{node.Describe()} (axis={axis}, opset {_opset}) normalizes over more than the feature axis of {Text(labels)}; RnnGen's Softmax is over each step's outputs");
    }

    // ----------------------------------------------------------------------------------------------------------
    // Dense layers
    // ----------------------------------------------------------------------------------------------------------

    private DensePlan Linear(OnnxNodeProto node, int slot, List<char> labels, int features)
    {
        if (labels[^1] != Features)
            throw new InvalidDataException($"{node.Describe()} reads {Text(labels)}: the feature axis is not last");
        if (slot != 0)
            throw new InvalidDataException($"{node.Describe()} has the layer's output as input {slot}; RnnGen's Dense layer is x·W (the data as input 0)");
        const string what = "B (the weight)";
        OnnxTensorProto w = Constant(node, 1, what);
        double[] values = Doubles(node, w, what);
        if (w.Dims.Count != 2 || w.Dims.Contains(0))
            throw new InvalidDataException($"{node.Describe()} has a weight of shape {w.ShapeText}; a Dense layer's is 2-D, with no empty axis");
        bool transposed = false;
        double alpha = 1, beta = 1;
        if (node.OpType == "Gemm")
        {
            if (labels.Count != 2)
                throw new InvalidDataException($"{node.Describe()} reads {Text(labels)}, but Gemm takes a 2-D input (insert a Reshape to [-1, features])");
            if (node.Attributes.TryGetValue("transA", out OnnxAttributeProto? ta) && ta.I != 0)
                throw new InvalidDataException($"{node.Describe()} has transA=1: it would contract the rows, not the features");
            transposed = node.Attributes.TryGetValue("transB", out OnnxAttributeProto? tb) && tb.I != 0;
            if (node.Attributes.TryGetValue("alpha", out OnnxAttributeProto? a)) alpha = a.F;
            if (node.Attributes.TryGetValue("beta", out OnnxAttributeProto? b)) beta = b.F;
        }
        int inSize = (int)(transposed ? w.Dims[1] : w.Dims[0]), outSize = (int)(transposed ? w.Dims[0] : w.Dims[1]);
        if (features > 0 && inSize != features)
            throw new InvalidDataException($"{node.Describe()} has a weight {w.ShapeText}{(transposed ? " (transB=1)" : "")} for {inSize} inputs, but the tensor before it has {features} features");
        var weight = new double[outSize * inSize];
        for (int o = 0; o < outSize; o++)
            for (int i = 0; i < inSize; i++)
                weight[o * inSize + i] = alpha * (transposed ? values[o * inSize + i] : values[i * outSize + o]);
        var plan = new DensePlan { Linear = node, In = inSize, Out = outSize, Weight = weight };
        if (node.OpType == "Gemm" && node.Input(2).Length > 0)
        {
            OnnxTensorProto c = Constant(node, 2, "C (the bias)");
            double[] bias = BroadcastBias(node, c, Doubles(node, c, "C (the bias)"), outSize, 2);
            for (int o = 0; o < outSize; o++) bias[o] *= beta;
            (plan.Bias, plan.BiasNode) = (bias, null);
        }
        return plan;
    }

    private double[] AddedBias(OnnxNodeProto node, int slot, List<char> labels, int outSize)
    {
        // Add is binary: the layer's output is one operand (either order) and the bias the other.
        if (node.Inputs.Count != 2)
            throw new InvalidDataException($"{node.Describe()} has {node.Inputs.Count} inputs ({string.Join(", ", node.Inputs.Select(i => "'" + i + "'"))}); Add takes 2, the layer's output and the bias");
        int other = 1 - slot;
        OnnxTensorProto b = Constant(node, other, "the bias");
        return BroadcastBias(node, b, Doubles(node, b, "the bias"), outSize, labels.Count);
    }

    /// <summary>A bias that adds the same vector at every row: shape [out] or [1, …, 1, out] (or one value for all).</summary>
    private static double[] BroadcastBias(OnnxNodeProto node, OnnxTensorProto tensor, double[] values, int outSize, int rank)
    {
        bool rowVector = tensor.Dims.Count <= rank && tensor.Dims.Take(Math.Max(0, tensor.Dims.Count - 1)).All(d => d == 1);
        if (rowVector && values.Length == outSize) return (double[])values.Clone();
        if (rowVector && values.Length == 1) return Enumerable.Repeat(values[0], outSize).ToArray();
        throw new InvalidDataException($"{node.Describe()} adds '{tensor.Name}' of shape {tensor.ShapeText}, which is not one bias per output ([{outSize}] or [1, {outSize}])");
    }

    private static void Dense(DensePlan plan, DenseLayerInfo info, PyTorchTensors tensors)
    {
        string where = $"{plan.Describe()}, the model's Dense layer {info.Index} {GateOrder.Declaration(info)}";
        if (plan.In != info.InputSize || plan.Out != info.OutputSize)
            throw new InvalidDataException($"{where}: the graph's layer maps {plan.In} inputs to {plan.Out} outputs, the model's maps {info.InputSize} to {info.OutputSize}");
        if (plan.Activation != info.Activation)
            throw new InvalidDataException($"{where}: the graph applies {(plan.ActivationNode is null ? "no activation" : plan.ActivationNode.OpType)}, the model's layer has Activation = {info.Activation}");
        if (!info.Bias && plan.Bias is not null && !GateOrder.AllZero(plan.Bias))
            throw new InvalidDataException($"{where}: the graph adds a nonzero bias, but the model's layer has Bias = false");
        plan.Weight.CopyTo(tensors.Tensor(info.WeightName, info.OutputSize, info.InputSize));
        if (info.Bias)
        {
            Span<double> bias = tensors.Tensor(info.BiasName, info.OutputSize);
            plan.Bias?.CopyTo(bias);
        }
    }

    // ----------------------------------------------------------------------------------------------------------
    // Recurrent nodes
    // ----------------------------------------------------------------------------------------------------------

    private static readonly string[] LstmActivations = ["Sigmoid", "Tanh", "Tanh"];
    private static readonly string[] GruActivations = ["Sigmoid", "Tanh"];

    /// <summary>Refuses what no RnnGen layer computes; returns the node's layout (0 or 1).</summary>
    private int CheckSupported(OnnxNodeProto node)
    {
        string op = node.OpType;
        Dictionary<string, OnnxAttributeProto> a = node.Attributes;
        if (a.TryGetValue("direction", out OnnxAttributeProto? direction) && direction.S != "forward")
            throw new InvalidDataException($"{node.Describe()} has direction=\"{direction.S}\": RnnGen's layers run forward only" +
                (direction.S == "bidirectional" ? " (bidirectional layers are not supported)" : " (a reversed sequence is not supported)"));
        if (a.TryGetValue("clip", out OnnxAttributeProto? clip))
            throw new InvalidDataException($"{node.Describe()} has clip={clip.Describe()}: RnnGen's cells do not clip their pre-activations");
        if (op == "LSTM" && a.TryGetValue("input_forget", out OnnxAttributeProto? forget) && forget.I != 0)
            throw new InvalidDataException($"{node.Describe()} has input_forget={forget.I} (coupled input and forget gates), which RnnGen's LSTM does not have");
        long layout = a.TryGetValue("layout", out OnnxAttributeProto? l) ? l.I : 0;
        if (layout is not (0 or 1))
            throw new InvalidDataException($"{node.Describe()} has layout={layout}; ONNX defines 0 and 1");
        if (a.TryGetValue("activations", out OnnxAttributeProto? activations))
        {
            // One list per direction; a forward node uses the first G (the rest would be the reverse direction's).
            string[] expected = op switch { "LSTM" => LstmActivations, "GRU" => GruActivations, _ => ["Tanh"] };
            string[] actual = activations.Strings.Take(expected.Length).ToArray();
            bool ok = op == "RNN"
                ? actual.Length == 1 && (Same(actual[0], "Tanh") || Same(actual[0], "Relu"))
                : actual.Length == expected.Length && actual.Zip(expected).All(p => Same(p.First, p.Second));
            if (!ok)
                throw new InvalidDataException($"{node.Describe()} has activations {activations.Describe()}: RnnGen's {op} uses " +
                    (op == "RNN" ? "[\"Tanh\"] or [\"Relu\"]" : "[" + string.Join(", ", expected.Select(e => "\"" + e + "\"")) + "]"));
        }
        // activation_alpha/beta parameterize only LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu,
        // Softsign-like activations, which are refused above; with the default activations they have no effect.
        if (node.Input(4).Length > 0)
            throw new InvalidDataException($"{node.Describe()} has sequence_lens ('{node.Input(4)}'): per-entry sequence lengths are not supported; RnnGen runs each stream for exactly the steps you pass it, so leave sequence_lens out of the model");
        CheckZeroState(node, 5, "initial_h");
        if (op == "LSTM")
        {
            CheckZeroState(node, 6, "initial_c");
            if (node.Input(7).Length > 0)
            {
                OnnxTensorProto p = Constant(node, 7, "P (the peepholes)");
                if (!GateOrder.AllZero(Doubles(node, p, "P (the peepholes)")))
                    throw new InvalidDataException($"{node.Describe()} has peepholes (input P '{node.Input(7)}' is nonzero), which RnnGen's LSTM does not have");
            }
        }
        return (int)layout;
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    /// <summary>A walk along the graph longer than its node count has met a cycle (a hostile or broken file): refuse it.</summary>
    private void CheckWalk(ref int walked, string tensor)
    {
        if (++walked > _graph.Nodes.Count + 1)
            throw new InvalidDataException($"the graph has a cycle through '{tensor}' (a node's output feeds back into its own input)");
    }

    private void CheckZeroState(OnnxNodeProto node, int slot, string role)
    {
        string name = node.Input(slot);
        if (name.Length == 0 || _runtimeInputs.Contains(name)) return; // absent: zeros; a graph input: set by the caller
        string advice = $"RnnGen starts every stream from a zero state (set a different start with model.{(role == "initial_h" ? "Hidden" : "Cell")}(layer) or State)";
        string current = name;
        int walked = 0;
        while (true)
        {
            CheckWalk(ref walked, current);
            if (_constants.TryGetValue(current, out OnnxTensorProto? constant))
            {
                if (!GateOrder.AllZero(Doubles(node, constant, role)))
                    throw new InvalidDataException($"{role} of {node.Describe()} is a nonzero constant '{current}'; {advice}");
                return;
            }
            if (!_producers.TryGetValue(current, out OnnxNodeProto? producer) || !IsDefaultDomain(producer))
                break;
            if (producer.OpType == "ConstantOfShape")
            {
                if (producer.Attributes.TryGetValue("value", out OnnxAttributeProto? value) && value.T is not null && !GateOrder.AllZero(Doubles(producer, value.T, "value")))
                    throw new InvalidDataException($"{role} of {node.Describe()} is filled with a nonzero value by {producer.Describe()}; {advice}");
                return;
            }
            if (producer.OpType is "Expand" or "Identity" or "Tile" or "Reshape" or "Unsqueeze" or "Squeeze" or "Cast")
            {
                current = producer.Input(0);
                continue;
            }
            throw new InvalidDataException($"{role} of {node.Describe()} is computed by {producer.Describe()}; RnnGen can only tell a zero state (a constant, ConstantOfShape or Expand of zeros) or a graph input");
        }
        throw new InvalidDataException($"{role} of {node.Describe()} ('{name}') is neither a constant nor a graph input");
    }

    private void Recurrent(OnnxNodeProto node, RecurrentLayerInfo info, PyTorchTensors tensors)
    {
        CellType cell = node.OpType switch { "LSTM" => CellType.Lstm, "GRU" => CellType.Gru, _ => CellType.SimpleRnn };
        string where = $"{node.Describe()}, the model's recurrent layer {info.Index} {GateOrder.Declaration(info)}";
        if (cell != info.Cell)
            throw new InvalidDataException($"{node.Describe()} is a {node.OpType} layer, but the model's recurrent layer {info.Index} is {GateOrder.Declaration(info)}");
        int H = info.HiddenSize, I = info.InputSize, G = GateOrder.Gates(cell) * H;

        OnnxTensorProto w = Constant(node, 1, "W"), r = Constant(node, 2, "R");
        ExpectDims(node, w, "W", [1, G, I], where);
        ExpectDims(node, r, "R", [1, G, H], where);
        if (node.Attributes.TryGetValue("hidden_size", out OnnxAttributeProto? hidden) && hidden.I != H)
            throw new InvalidDataException($"{where}: hidden_size={hidden.I}, the model's layer has {H}");
        double[] wv = Doubles(node, w, "W"), rv = Doubles(node, r, "R");
        double[]? bv = null;
        if (node.Input(3).Length > 0)
        {
            OnnxTensorProto b = Constant(node, 3, "B");
            ExpectDims(node, b, "B", [1, 2 * G], where);
            bv = Doubles(node, b, "B");
        }

        if (cell == CellType.SimpleRnn)
        {
            string activation = node.Attributes.TryGetValue("activations", out OnnxAttributeProto? a) && a.Strings.Count > 0 ? a.Strings[0] : "Tanh";
            bool relu = Same(activation, "Relu");
            if (relu != (info.Activation == Activation.Relu))
                throw new InvalidDataException($"{where}: the node's activation is {activation}, the model's layer uses {(info.Activation == Activation.Relu ? "Relu" : "Tanh")}" +
                    $" (declare [SimpleRnn({H}{(relu ? ", Activation = Activation.Relu" : "")})])");
        }
        if (cell == CellType.Gru)
        {
            long lbr = node.Attributes.TryGetValue("linear_before_reset", out OnnxAttributeProto? l) ? l.I : 0;
            if ((lbr != 0) != info.ResetAfter)
                throw new InvalidDataException($"{where}: linear_before_reset={lbr} " +
                    (lbr != 0 ? "(the reset gate applies after the recurrent product, PyTorch's GRU) needs ResetAfter = true: declare [Gru(" + H + ")]"
                              : "(the ONNX default: the reset gate applies before the recurrent product) needs ResetAfter = false: declare [Gru(" + H + ", ResetAfter = false)]"));
        }
        if (!info.Bias && bv is not null && !GateOrder.AllZero(bv))
            throw new InvalidDataException($"{where}: B is nonzero, but the model's layer has Bias = false");

        int[] blockOf = GateOrder.OnnxBlockOf(cell);
        PyTorchTensors.WriteGateBlocks(tensors.Tensor(info.WeightIhName, G, I), H, I, blockOf, (blk, row, c) => wv[(blk * H + row) * I + c]);
        PyTorchTensors.WriteGateBlocks(tensors.Tensor(info.WeightHhName, G, H), H, H, blockOf, (blk, row, c) => rv[(blk * H + row) * H + c]);
        if (info.Bias)
        {
            Span<double> biasIh = tensors.Tensor(info.BiasIhName, G), biasHh = tensors.Tensor(info.BiasHhName, G);
            if (bv is not null)
            {
                PyTorchTensors.WriteGateBlocks(biasIh, H, 1, blockOf, (blk, row, _) => bv[blk * H + row]);
                PyTorchTensors.WriteGateBlocks(biasHh, H, 1, blockOf, (blk, row, _) => bv[G + blk * H + row]);
            }
        }
    }

    private static void ExpectDims(OnnxNodeProto node, OnnxTensorProto tensor, string role, long[] expected, string where)
    {
        if (tensor.Dims.SequenceEqual(expected)) return;
        if (role == "W" && tensor.Dims.Count == 3 && tensor.Dims[0] == 2)
            throw new InvalidDataException($"{node.Describe()} has weights for 2 directions (W {tensor.ShapeText}): bidirectional layers are not supported");
        throw new InvalidDataException($"{where}: {role} '{tensor.Name}' has shape {tensor.ShapeText}, expected [{string.Join(", ", expected)}]");
    }

    // ----------------------------------------------------------------------------------------------------------
    // Constants
    // ----------------------------------------------------------------------------------------------------------

    private OnnxTensorProto Constant(OnnxNodeProto node, int slot, string role)
    {
        string name = node.Input(slot);
        if (name.Length == 0)
            throw new InvalidDataException($"{node.Describe()} has no {role}");
        if (_constants.TryGetValue(name, out OnnxTensorProto? tensor)) return tensor;
        if (_runtimeInputs.Contains(name))
            throw new InvalidDataException($"{role} of {node.Describe()} is the graph input '{name}', not a constant (store it as an initializer)");
        if (_producers.TryGetValue(name, out OnnxNodeProto? producer))
            throw new InvalidDataException($"{role} of {node.Describe()} is computed at run time by {producer.Describe()}; RnnGen needs the weights as constants " +
                "(export with constant folding, torch.onnx.export(..., do_constant_folding=True), which is the default)");
        throw new InvalidDataException($"{role} of {node.Describe()} is '{name}', which nothing in the graph defines");
    }

    private static double[] Doubles(OnnxNodeProto node, OnnxTensorProto tensor, string role) =>
        tensor.ToDoubles(out string? problem) ?? throw new InvalidDataException($"{role} '{tensor.Name}' of {node.Describe()} cannot be read: {problem}");

    private long[] IntConstant(OnnxNodeProto node, int slot, string role)
    {
        OnnxTensorProto tensor = Constant(node, slot, role);
        return tensor.ToInt64s(out string? problem) ?? throw new InvalidDataException($"{role} '{tensor.Name}' of {node.Describe()} cannot be read: {problem}");
    }
}
