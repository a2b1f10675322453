using System.Collections.Generic;
using System.Linq;
using RnnGen.Generator.Model;

namespace RnnGen.Generator.Emit;

internal static partial class ModelEmitter
{
    private static void WriteTraining(CodeWriter w, ModelSpec spec)
    {
        string t = spec.ElementType;
        IReadOnlyList<TraceSlice> trace = TrainingLayout.Of(spec);
        w.Line("// ── Training: a recording forward, backpropagation through time, gradients, one-call training step ──");
        w.Line("// Each recorded step holds, in order:");
        int width = trace.Max(s => s.Constant.Length);
        foreach (TraceSlice slice in trace)
            w.Line($"//   {slice.Constant.PadRight(width)}  [{slice.Length}]  {slice.Meaning}");
        foreach (TraceSlice slice in trace)
            w.Line($"private const int {slice.Constant} = {slice.Offset};");
        w.Line($"private const int StepTraceLength = {TrainingLayout.StepLength(spec)};");
        w.Line($"private const int WidestVector = {TrainingLayout.Widest(spec)};");
        w.Line($"private const int BackwardScratchLength = {TrainingLayout.BackwardScratchLength(spec)};");
        w.Line();
        w.Line("private TrainingBuffers? _training;");
        if (TrainingLayout.HasDropout(spec))
            w.Line("private ulong _dropoutState = 0x9E3779B97F4A7C15UL; // SplitMix64 state for the dropout masks");
        w.Line($"private global::RnnGen.AlignedBuffer<{t}>? _gradients;");
        w.Line();
        w.Line("/// <summary>The buffers training needs, allocated once, on the first training call (inference never pays for them).</summary>");
        using (w.Block("private sealed class TrainingBuffers"))
        {
            w.Line($"public readonly global::RnnGen.AlignedBuffer<{t}> Trace = new(SequenceLength * StepTraceLength);");
            w.Line($"public readonly global::RnnGen.AlignedBuffer<{t}> Above = new(SequenceLength * WidestVector);");
            w.Line($"public readonly global::RnnGen.AlignedBuffer<{t}> Below = new(SequenceLength * WidestVector);");
            w.Line($"public readonly {t}[] Scratch = new {t}[BackwardScratchLength];");
            w.Line($"public readonly global::RnnGen.AlignedBuffer<{t}> History = new(SequenceLength * {TrainingLayout.HistoryWidth(spec)}); // a layer's pre-activation gradients per step");
            w.Line($"public readonly {t}[] InitialStateGradients = new {t}[State.Length];");
            w.Line($"public readonly {t}[] Outputs = new {t}[SequenceLength * OutputSize];");
            w.Line($"public readonly {t}[] OutputGradients = new {t}[SequenceLength * OutputSize];");
            if (spec.Embedding is not null)
            {
                w.Line("public readonly int[] Tokens = new int[SequenceLength];");
                w.Line("public bool TokenInput;");
            }
            w.Line("public int Steps;");
        }
        w.Line();
        w.Line("private TrainingBuffers Training => _training ??= new TrainingBuffers();");
        w.Line();
        w.Line("/// <summary>The number of steps the last training forward recorded (0 before any).</summary>");
        w.Line("public int RecordedSteps => _training?.Steps ?? 0;");
        if (TrainingLayout.HasDropout(spec))
        {
            w.Line();
            w.Line("/// <summary>Restarts the dropout masks' random sequence from <paramref name=\"seed\"/> (the same seed gives the same masks).</summary>");
            w.Line("public void SeedDropout(int seed) => _dropoutState = global::RnnGen.DropoutMask.Seed(seed);");
        }
        WriteForwardTraining(w, spec);
        WriteBackwardDriver(w, spec);
        WriteGradientApi(w, spec);
        WriteTrainStep(w, spec);
        WriteInitialization(w, spec);
    }

    private static void WriteForwardTraining(CodeWriter w, ModelSpec spec)
    {
        string t = spec.ElementType;
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Runs a sequence like <see cref=\"Forward(global::System.ReadOnlySpan{" + t + "}, global::System.Span{" + t + "})\"/> from the model's own state and records what");
        w.Line("/// <see cref=\"Backward(global::System.ReadOnlySpan{" + t + "}, global::System.Span{" + t + "})\"/> needs. The state carries on, so consecutive windows of a long stream");
        w.Line("/// continue each other while the gradient stops at each window's start (truncated BPTT); call <see cref=\"ResetState\"/>");
        w.Line("/// first for independent sequences.");
        w.Line("/// </summary>");
        w.Line("/// <param name=\"inputs\">Row-major <c>[steps, InputSize]</c>, at most <see cref=\"SequenceLength\"/> steps.</param>");
        w.Line("/// <param name=\"outputs\">Receives row-major <c>[steps, OutputSize]</c>.</param>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">The lengths disagree, or there are more than <see cref=\"SequenceLength\"/> steps.</exception>");
        using (w.Block($"public void ForwardTraining({ReadOnlySpan}<{t}> inputs, {Span}<{t}> outputs)"))
        {
            w.Line("int steps = global::RnnGen.Guard.Sequence(inputs.Length, InputSize, outputs.Length, OutputSize);");
            w.Line("global::RnnGen.Guard.RecordableSteps(steps, SequenceLength, nameof(inputs));");
            w.Line("TrainingBuffers training = Training;");
            if (spec.Embedding is not null) w.Line("training.TokenInput = false;");
            if (PackedTraining(spec))
            {
                using (w.Block($"if ({PackedAvailable})"))
                {
                    w.Line("ForwardTrainingPacked(inputs, outputs, steps, training);");
                    w.Line("training.Steps = steps;");
                    w.Line("return;");
                }
            }
            w.Line("for (int step = 0; step < steps; step++)");
            w.Line($"    StepRecord(ref {Own(spec)}, inputs.Slice(step * InputSize, InputSize), outputs.Slice(step * OutputSize, OutputSize), training.Trace.Span.Slice(step * StepTraceLength, StepTraceLength));");
            w.Line("training.Steps = steps;");
        }
        if (spec.Embedding is not null)
        {
            w.Line();
            w.Line("/// <summary>The training forward on token ids: each step's input is the token's row of the embedding, which Backward trains.</summary>");
            w.Line("/// <param name=\"tokens\">One token id per step, each in 0..VocabularySize−1; at most <see cref=\"SequenceLength\"/> steps.</param>");
            w.Line("/// <param name=\"outputs\">Receives row-major <c>[steps, OutputSize]</c>.</param>");
            using (w.Block($"public void ForwardTraining({ReadOnlySpan}<int> tokens, {Span}<{t}> outputs)"))
            {
                w.Line("int steps = tokens.Length;");
                w.Line("global::RnnGen.Guard.RecordableSteps(steps, SequenceLength, nameof(tokens));");
                w.Line("global::RnnGen.Guard.Length(outputs.Length, steps * OutputSize, nameof(outputs), \"tokens × OutputSize\");");
                w.Line("global::RnnGen.Guard.Tokens(tokens, VocabularySize, nameof(tokens));");
                w.Line("TrainingBuffers training = Training;");
                w.Line("tokens.CopyTo(training.Tokens);");
                w.Line("training.TokenInput = true;");
                w.Line("for (int step = 0; step < steps; step++)");
                w.Line($"    StepRecord(ref {Own(spec)}, Embed(tokens[step]), outputs.Slice(step * OutputSize, OutputSize), training.Trace.Span.Slice(step * StepTraceLength, StepTraceLength));");
                w.Line("training.Steps = steps;");
            }
        }
        w.Line();
        w.Line("/// <summary>One step like <c>StepCore</c>, copying into <paramref name=\"trace\"/> what the backward pass reads; scratch is the thread's, as for Step.</summary>");
        using (w.Block($"private void StepRecord(ref State state, {ReadOnlySpan}<{t}> input, {Span}<{t}> output, {Span}<{t}> trace)"))
        {
            w.Line($"{Span}<{t}> scratch = StepScratch();");
            if (PackedTraining(spec))
            {
                using (w.Block($"if ({PackedAvailable})"))
                {
                    w.Line("StepRecordPacked(ref state, input, output, scratch, trace);");
                    w.Line("return;");
                }
            }
            WriteStepRecordBody(w, spec, packed: null);
        }
        if (PackedTraining(spec))
        {
            WriteForwardTrainingPacked(w, spec);
            w.Line();
            w.Line("/// <summary>");
            w.Line("/// StepRecord on the packed inference kernels (where Vector256 is accelerated): each packed layer's cells leave");
            w.Line("/// their activated gates in the projection's slots, and the layer's TraceGates copies them into the trace.");
            w.Line("/// </summary>");
            using (w.Block($"private void StepRecordPacked(ref State state, {ReadOnlySpan}<{t}> input, {Span}<{t}> output, {Span}<{t}> scratch, {Span}<{t}> trace)"))
            {
                w.Line("if (_packedStale) PackWeights();");
                w.Line($"ref {t} weights = ref _packed.Data;");
                w.Line($"{Span}<{t}> projection = scratch.Slice(ScratchLength, ProjectionLength);");
                w.Line($"{Span}<{t}> next = scratch.Slice(ScratchLength + ProjectionLength);");
                WriteStepRecordBody(w, spec, new PackedModel(spec));
            }
        }
    }

    /// <summary>
    /// ForwardTrainingPacked: the recording forward layer by layer over the whole window, as ForwardPacked runs a
    /// sequence (input projections of 32 steps as one product, then the recurrence step by step), writing each step's
    /// record as StepRecord does. The dropout masks are drawn first, in StepRecord's order, so they are the same masks.
    /// </summary>
    private static void WriteForwardTrainingPacked(CodeWriter w, ModelSpec spec)
    {
        string t = spec.ElementType;
        var packed = new PackedModel(spec);
        w.Line();
        w.Line("/// <summary>The training forward on the packed kernels, one layer at a time over the whole window (see ForwardPacked).</summary>");
        using (w.Block($"private void ForwardTrainingPacked({ReadOnlySpan}<{t}> inputs, {Span}<{t}> outputs, int steps, TrainingBuffers training)"))
        {
            w.Line("if (_packedStale) PackWeights();");
            w.Line($"ref State state = ref {Own(spec)};");
            w.Line($"{Span}<{t}> buffer = SequenceScratch();");
            w.Line($"ref {t} weights = ref _packed.Data;");
            w.Line($"{Span}<{t}> scratch = buffer.Slice(0, StepScratchLength);");
            w.Line($"{Span}<{t}> next = scratch.Slice(ScratchLength + ProjectionLength);");
            w.Line($"{Span}<{t}> projections = buffer.Slice(StepScratchLength, TileSteps * ProjectionLength);");
            w.Line($"{Span}<{t}> trace = training.Trace.Span;");
            w.Line($"{Span}<{t}> above = training.Above.Span, below = training.Below.Span; // a layer's outputs, a row per step (the backward reuses them)");
            w.Line("for (int step = 0; step < steps; step++)");
            w.Line($"    inputs.Slice(step * InputSize, InputSize).CopyTo(trace.Slice(step * StepTraceLength + TraceInput, InputSize));");
            if (TrainingLayout.HasDropout(spec))
            {
                using (w.Block("for (int step = 0; step < steps; step++)"))
                {
                    foreach (RecurrentLayerSpec layer in spec.Layers.Where(l => l.Dropout > 0))
                    {
                        string rate = layer.Dropout.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
                        w.Line($"global::RnnGen.DropoutMask.Fill(trace.Slice(step * StepTraceLength + Trace{layer.Index}Mask, {layer.HiddenSize}), {rate}, ref _dropoutState);");
                    }
                }
            }
            w.Line($"{ReadOnlySpan}<{t}> source = inputs;");
            int width = spec.InputSize;
            foreach (RecurrentLayerSpec layer in spec.Layers)
            {
                int h = layer.HiddenSize;
                int k = layer.Index;
                PackedLayer? p = packed.Layers[k];
                w.Line($"// Layer {k}: {DescribeLayer(layer)}{(p is null ? " (portable kernel)" : "")}");
                using (w.Block("for (int start = 0; start < steps; start += TileSteps)"))
                {
                    w.Line("int tile = global::System.Math.Min(TileSteps, steps - start);");
                    if (p is not null)
                        w.Line($"Layer{k}Project(ref {Ref}.Add(ref weights, {p.Constant}), ref {MemoryMarshal}.GetReference(source.Slice(start * {width})), tile, ref {MemoryMarshal}.GetReference(projections));");
                    using (w.Block("for (int row = 0; row < tile; row++)"))
                    {
                        w.Line("int step = start + row;");
                        w.Line($"{Span}<{t}> record = trace.Slice(step * StepTraceLength, StepTraceLength);");
                        if (p is not null)
                            w.Line($"{Span}<{t}> slots = projections.Slice(row * {p.ProjectionLength}, {p.ProjectionLength}); // this layer's projections are {p.ProjectionLength} apart");
                        WriteLayerRecord(w, layer, p, record: "record", input: $"source.Slice(step * {width}, {width})", slots: "slots");
                        if (layer.Dropout > 0)
                        {
                            w.Line($"{Tensors}.Multiply(state.Layer{k}Hidden, record.Slice(Trace{k}Mask, {h}), record.Slice(Trace{k}Dropped, {h}));");
                            w.Line($"record.Slice(Trace{k}Dropped, {h}).CopyTo(above.Slice(step * {h}, {h}));");
                        }
                        else
                        {
                            w.Line($"state.Layer{k}Hidden.CopyTo(above.Slice(step * {h}, {h}));");
                        }
                    }
                }
                w.Line($"source = above; {{ {Span}<{t}> swap = below; below = above; above = swap; }} // this layer's outputs are the next one's inputs");
                width = h;
            }
            w.Line("// Head");
            w.Line("for (int step = 0; step < steps; step++)");
            w.Line(spec.Head.Count > 0
                ? $"    Head(source.Slice(step * {width}, {width}), outputs.Slice(step * OutputSize, OutputSize), scratch, trace.Slice(step * StepTraceLength, StepTraceLength));"
                : $"    source.Slice(step * {width}, {width}).CopyTo(outputs.Slice(step * OutputSize, OutputSize));");
        }
    }

    /// <summary>
    /// One layer's step in a recording forward: the previous state into <paramref name="record"/>, the step (the packed
    /// recurrence on the projections in <paramref name="slots"/>, or the portable kernel on <paramref name="input"/>),
    /// then the gates, tanh(c') and h' into the record.
    /// </summary>
    private static void WriteLayerRecord(CodeWriter w, RecurrentLayerSpec layer, PackedLayer? packed, string record, string input, string slots)
    {
        int h = layer.HiddenSize;
        int k = layer.Index;
        w.Line($"state.Layer{k}Hidden.CopyTo({record}.Slice(Trace{k}HPrev, {h}));");
        if (layer.HasCellState) w.Line($"state.Layer{k}Cell.CopyTo({record}.Slice(Trace{k}CPrev, {h}));");
        if (packed is not null)
        {
            w.Line($"Layer{k}RecurRows(ref weights, {slots}, {MemoryMarshal}.CreateSpan(ref state, 1), 0, 1, next);");
            if (layer.Cell != CellKind.SimpleRnn) w.Line($"Layer{k}TraceGates({slots}, {record}.Slice(Trace{k}Gates, {4 * h}));");
        }
        else
        {
            string cell = layer.HasCellState ? $", state.Layer{k}Cell" : "";
            w.Line($"Layer{k}({input}, state.Layer{k}Hidden{cell}, scratch);");
            if (layer.Cell != CellKind.SimpleRnn) w.Line($"scratch.Slice(0, {4 * h}).CopyTo({record}.Slice(Trace{k}Gates, {4 * h}));");
        }
        if (layer.HasCellState) w.Line($"{TanhOf(packed)}(state.Layer{k}Cell, {record}.Slice(Trace{k}TanhC, {h}));");
        w.Line($"state.Layer{k}Hidden.CopyTo({record}.Slice(Trace{k}H, {h}));");
    }

    /// <summary>What records tanh(c'): a packed layer's own tanh (Simd, as its cells compute h'), else TensorPrimitives'.</summary>
    private static string TanhOf(PackedLayer? packed) => packed is null ? $"{Tensors}.Tanh" : $"{Simd}.Tanh";

    /// <summary>Whether the training forward may run on the packed kernels: not where they use the fast activations (training stays exact).</summary>
    private static bool PackedTraining(ModelSpec spec) => !spec.FastActivations || spec.IsDouble;

    /// <summary>The body of StepRecord: every layer on the portable kernels, or (<paramref name="packed"/>) on the packed ones where it has them.</summary>
    private static void WriteStepRecordBody(CodeWriter w, ModelSpec spec, PackedModel? packed)
    {
        w.Line($"input.CopyTo(trace.Slice(TraceInput, {spec.InputSize}));");
        string below = "input";
        foreach (RecurrentLayerSpec layer in spec.Layers)
        {
            int h = layer.HiddenSize;
            string k = layer.Index.ToString();
            PackedLayer? p = packed?.Layers[layer.Index];
            if (p is not null)
                w.Line($"Layer{k}Project(ref {Ref}.Add(ref weights, {p.Constant}), ref {MemoryMarshal}.GetReference({below}), 1, ref {MemoryMarshal}.GetReference(projection));");
            WriteLayerRecord(w, layer, p, record: "trace", input: below, slots: "projection");
            below = $"state.Layer{k}Hidden";
            if (layer.Dropout > 0)
            {
                string rate = layer.Dropout.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
                w.Line($"// Dropout p = {rate} on what the layer above reads (not on the carried state).");
                w.Line($"global::RnnGen.DropoutMask.Fill(trace.Slice(Trace{k}Mask, {h}), {rate}, ref _dropoutState);");
                w.Line($"{Tensors}.Multiply(state.Layer{k}Hidden, trace.Slice(Trace{k}Mask, {h}), trace.Slice(Trace{k}Dropped, {h}));");
                below = $"trace.Slice(Trace{k}Dropped, {h})";
            }
        }
        if (spec.Head.Count > 0) w.Line($"Head({below}, output, scratch, trace);");
        else w.Line($"{below}.CopyTo(output);");
    }

    private static void WriteBackwardDriver(CodeWriter w, ModelSpec spec)
    {
        string t = spec.ElementType;
        RecurrentLayerSpec top = spec.Layers[spec.Layers.Count - 1];
        w.Line();
        w.Line("/// <summary>Backpropagation through the recorded sequence from dL/dy; see the overload with input gradients.</summary>");
        w.Line($"public void Backward({ReadOnlySpan}<{t}> outputGradients) => Backward(outputGradients, default);");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Backpropagation through time over the sequence the last training forward recorded, through the head");
        w.Line("/// and every layer. Adds dL/dθ into <see cref=\"Gradients\"/> (call <see cref=\"ZeroGradients\"/> between updates), sets");
        w.Line("/// the gradients of the window's initial states (<see cref=\"InitialHiddenGradient\"/>, <see cref=\"InitialCellGradient\"/>),");
        w.Line("/// and writes dL/dx if <paramref name=\"inputGradients\"/> is not empty.");
        w.Line("/// </summary>");
        w.Line("/// <param name=\"outputGradients\">dL/dy, row-major <c>[steps, OutputSize]</c> for the recorded steps.</param>");
        w.Line("/// <param name=\"inputGradients\">Empty, or receives dL/dx, row-major <c>[steps, InputSize]</c>.</param>");
        w.Line("/// <exception cref=\"global::System.InvalidOperationException\">Nothing was recorded.</exception>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">A span's length does not match the recorded steps.</exception>");
        using (w.Block($"public void Backward({ReadOnlySpan}<{t}> outputGradients, {Span}<{t}> inputGradients)"))
        {
            w.Line("TrainingBuffers training = _training is { Steps: > 0 } recorded ? recorded");
            w.Line("    : throw new global::System.InvalidOperationException(\"Backward needs a recorded sequence: call ForwardTraining first.\");");
            w.Line("int steps = training.Steps;");
            w.Line("global::RnnGen.Guard.Length(outputGradients.Length, steps * OutputSize, nameof(outputGradients), \"recorded steps × OutputSize\");");
            w.Line("if (!inputGradients.IsEmpty)");
            w.Line("    global::RnnGen.Guard.Length(inputGradients.Length, steps * InputSize, nameof(inputGradients), \"recorded steps × InputSize\");");
            w.Line($"_gradients ??= new(ParameterCount);");
            w.Line($"{Span}<{t}> above = training.Above.Span;");
            w.Line($"{Span}<{t}> below = training.Below.Span;");
            if (spec.Layers.Count > 1) w.Line($"{Span}<{t}> swap;");
            if (spec.Head.Count > 0)
            {
                w.Line($"// Head, step by step: dL/dh of the top layer into `above`, [steps, {top.HiddenSize}].");
                w.Line("for (int step = 0; step < steps; step++)");
                w.Line($"    HeadBackward(training.Trace.Span.Slice(step * StepTraceLength, StepTraceLength), outputGradients.Slice(step * OutputSize, OutputSize), above.Slice(step * {top.HiddenSize}, {top.HiddenSize}), training.Scratch);");
            }
            else
            {
                w.Line("outputGradients.CopyTo(above); // no head: y is the top layer's h");
            }
            if (top.Dropout > 0) w.Line($"ApplyDropoutMasks(steps, above, Trace{top.Index}Mask, {top.HiddenSize}); // through the top layer's dropout");
            for (int i = spec.Layers.Count - 1; i >= 0; i--)
            {
                string wanted = i > 0 ? "true" : spec.Embedding is not null ? "!inputGradients.IsEmpty || training.TokenInput" : "!inputGradients.IsEmpty";
                w.Line($"Layer{i}Backward(steps, above, below, training.Scratch, training.InitialStateGradients, inputGradient: {wanted});");
                if (i > 0 && spec.Layers[i - 1].Dropout > 0)
                    w.Line($"ApplyDropoutMasks(steps, below, Trace{i - 1}Mask, {spec.Layers[i - 1].HiddenSize}); // through layer {i - 1}'s dropout");
                if (i > 0) w.Line("swap = above; above = below; below = swap;");
            }
            if (spec.Embedding is not null)
            {
                w.Line("// Embedding: each step's dL/dx goes to the row of the token it came from.");
                w.Line("if (training.TokenInput)");
                w.Line("    for (int step = 0; step < steps; step++)");
                w.Line($"        {Tensors}.Add(Gradients.Slice(EmbeddingWeight + training.Tokens[step] * InputSize, InputSize), below.Slice(step * InputSize, InputSize), Gradients.Slice(EmbeddingWeight + training.Tokens[step] * InputSize, InputSize));");
            }
            w.Line($"if (!inputGradients.IsEmpty) below.Slice(0, steps * InputSize).CopyTo(inputGradients);");
        }
        if (TrainingLayout.HasDropout(spec))
        {
            w.Line();
            w.Line("/// <summary>dL/dh = dL/d(h ⊙ mask) ⊙ mask for every recorded step (the mask already holds 1 / (1 − p)).</summary>");
            using (w.Block($"private void ApplyDropoutMasks(int steps, {Span}<{t}> gradients, int mask, int width)"))
            {
                w.Line("for (int step = 0; step < steps; step++)");
                w.Line($"    {Tensors}.Multiply(gradients.Slice(step * width, width), _training!.Trace.Span.Slice(step * StepTraceLength + mask, width), gradients.Slice(step * width, width));");
            }
        }
    }

    private static void WriteGradientApi(CodeWriter w, ModelSpec spec)
    {
        string t = spec.ElementType;
        IReadOnlyList<Tensor> tensors = ParameterLayout.Of(spec);
        w.Line();
        w.Line("/// <summary>dL/dθ accumulated by <see cref=\"Backward(global::System.ReadOnlySpan{" + t + "}, global::System.Span{" + t + "})\"/>, laid out exactly like <see cref=\"Parameters\"/>.</summary>");
        w.Line($"public {Span}<{t}> Gradients => (_gradients ??= new(ParameterCount)).Span;");
        w.Line();
        w.Line("/// <summary>The gradient of the tensor called <paramref name=\"name\"/>, shaped like it.</summary>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">The model has no tensor of that name.</exception>");
        using (w.Block($"public {Span}<{t}> Gradient(string name)"))
        {
            w.Line("(int offset, int length) = Locate(name);");
            w.Line("return Gradients.Slice(offset, length);");
        }
        w.Line();
        w.Line("/// <summary>Sets every gradient to zero (PyTorch's <c>zero_grad</c>).</summary>");
        w.Line("public void ZeroGradients() => Gradients.Clear();");
        w.Line();
        w.Line("/// <summary>dL/dh₀ of layer <paramref name=\"layer\"/>: the gradient of the recorded window's initial hidden state, set by the last Backward.</summary>");
        using (w.Block($"public {ReadOnlySpan}<{t}> InitialHiddenGradient(int layer) => layer switch", ";"))
        {
            foreach (RecurrentLayerSpec layer in spec.Layers)
                w.Line($"{layer.Index} => new {ReadOnlySpan}<{t}>(Training.InitialStateGradients, {ParameterLayout.StateOffset(spec, layer.Index)}, {layer.HiddenSize}),");
            w.Line("_ => throw new global::System.ArgumentOutOfRangeException(nameof(layer), layer, $\"The model has {LayerCount} recurrent layer(s).\"),");
        }
        w.Line();
        w.Line("/// <summary>dL/dc₀ of LSTM layer <paramref name=\"layer\"/>, set by the last Backward; empty for other cells.</summary>");
        using (w.Block($"public {ReadOnlySpan}<{t}> InitialCellGradient(int layer) => layer switch", ";"))
        {
            foreach (RecurrentLayerSpec layer in spec.Layers)
                w.Line(layer.HasCellState
                    ? $"{layer.Index} => new {ReadOnlySpan}<{t}>(Training.InitialStateGradients, {ParameterLayout.StateOffset(spec, layer.Index) + layer.HiddenSize}, {layer.HiddenSize}),"
                    : $"{layer.Index} => {ReadOnlySpan}<{t}>.Empty,");
            w.Line("_ => throw new global::System.ArgumentOutOfRangeException(nameof(layer), layer, $\"The model has {LayerCount} recurrent layer(s).\"),");
        }
    }

    private static void WriteTrainStep(CodeWriter w, ModelSpec spec)
    {
        string t = spec.ElementType;
        string optimizer = $"global::RnnGen.IOptimizer<{t}>";
        bool tokens = spec.Embedding is not null;
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// One training step on a sequence with real-valued targets: zero the gradients, <see cref=\"ForwardTraining(global::System.ReadOnlySpan{" + t + "}, global::System.Span{" + t + "})\"/> from the");
        w.Line("/// current state, the loss and its gradient, <see cref=\"Backward(global::System.ReadOnlySpan{" + t + "})\"/>, optional global-norm clipping, and the");
        w.Line("/// optimizer's update. Allocates nothing after the first call. Returns the loss before the update.");
        w.Line("/// </summary>");
        w.Line("/// <param name=\"inputs\">Row-major <c>[steps, InputSize]</c>, at most <see cref=\"SequenceLength\"/> steps.</param>");
        w.Line("/// <param name=\"targets\">Row-major <c>[steps, OutputSize]</c>.</param>");
        w.Line("/// <param name=\"optimizer\">Updates <see cref=\"Parameters\"/> from <see cref=\"Gradients\"/>.</param>");
        w.Line("/// <param name=\"loss\">Mean squared error (default) or binary cross-entropy on logits (use a head without activation).</param>");
        w.Line("/// <param name=\"maxGradientNorm\">If positive, gradients are scaled to this global L2 norm at most, as <c>clip_grad_norm_</c>.</param>");
        using (w.Block($"public {t} TrainStep({ReadOnlySpan}<{t}> inputs, {ReadOnlySpan}<{t}> targets, {optimizer} optimizer, global::RnnGen.LossFunction loss = global::RnnGen.LossFunction.MeanSquaredError, {t} maxGradientNorm = 0)"))
        {
            w.Line("int steps = global::RnnGen.Guard.Sequence(inputs.Length, InputSize, targets.Length, OutputSize, nameof(targets));");
            WriteTrainStepBody(w, spec, "inputs", "global::RnnGen.Losses.Compute(loss, outputs, targets, outputGradients)");
        }
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// One training step with class targets and softmax cross-entropy over the outputs as logits (use a head without");
        w.Line("/// activation): per step, or only the last step for sequence classification. Otherwise as the other overload.");
        w.Line("/// </summary>");
        w.Line("/// <param name=\"inputs\">Row-major <c>[steps, InputSize]</c>, at most <see cref=\"SequenceLength\"/> steps.</param>");
        w.Line("/// <param name=\"classTargets\">The class index per step (<c>[steps]</c>), or one index when <paramref name=\"lastStepOnly\"/>.</param>");
        w.Line("/// <param name=\"optimizer\">Updates <see cref=\"Parameters\"/> from <see cref=\"Gradients\"/>.</param>");
        w.Line("/// <param name=\"lastStepOnly\">Whether only the last step's output is classified.</param>");
        w.Line("/// <param name=\"maxGradientNorm\">If positive, gradients are scaled to this global L2 norm at most.</param>");
        using (w.Block($"public {t} TrainStep({ReadOnlySpan}<{t}> inputs, {ReadOnlySpan}<int> classTargets, {optimizer} optimizer, bool lastStepOnly = false, {t} maxGradientNorm = 0)"))
        {
            w.Line("int steps = global::RnnGen.Guard.Steps(inputs.Length, InputSize, nameof(inputs));");
            WriteTrainStepBody(w, spec, "inputs", ClassLoss);
        }
        if (tokens)
        {
            w.Line();
            w.Line("/// <summary>One training step on token ids with real-valued targets; see the overload on input vectors.</summary>");
            w.Line("/// <param name=\"tokens\">One token id per step.</param>");
            w.Line("/// <param name=\"targets\">Row-major <c>[steps, OutputSize]</c>.</param>");
            w.Line("/// <param name=\"optimizer\">Updates <see cref=\"Parameters\"/> from <see cref=\"Gradients\"/>.</param>");
            w.Line("/// <param name=\"loss\">Mean squared error (default) or binary cross-entropy on logits.</param>");
            w.Line("/// <param name=\"maxGradientNorm\">If positive, gradients are scaled to this global L2 norm at most.</param>");
            using (w.Block($"public {t} TrainStep({ReadOnlySpan}<int> tokens, {ReadOnlySpan}<{t}> targets, {optimizer} optimizer, global::RnnGen.LossFunction loss = global::RnnGen.LossFunction.MeanSquaredError, {t} maxGradientNorm = 0)"))
            {
                w.Line("int steps = tokens.Length;");
                w.Line("global::RnnGen.Guard.Length(targets.Length, steps * OutputSize, nameof(targets), \"tokens × OutputSize\");");
                WriteTrainStepBody(w, spec, "tokens", "global::RnnGen.Losses.Compute(loss, outputs, targets, outputGradients)");
            }
            w.Line();
            w.Line("/// <summary>One training step on token ids with class targets (for example the next token) and softmax cross-entropy.</summary>");
            w.Line("/// <param name=\"tokens\">One token id per step.</param>");
            w.Line("/// <param name=\"classTargets\">The class index per step, or one index when <paramref name=\"lastStepOnly\"/>.</param>");
            w.Line("/// <param name=\"optimizer\">Updates <see cref=\"Parameters\"/> from <see cref=\"Gradients\"/>.</param>");
            w.Line("/// <param name=\"lastStepOnly\">Whether only the last step's output is classified.</param>");
            w.Line("/// <param name=\"maxGradientNorm\">If positive, gradients are scaled to this global L2 norm at most.</param>");
            using (w.Block($"public {t} TrainStep({ReadOnlySpan}<int> tokens, {ReadOnlySpan}<int> classTargets, {optimizer} optimizer, bool lastStepOnly = false, {t} maxGradientNorm = 0)"))
            {
                w.Line("int steps = tokens.Length;");
                WriteTrainStepBody(w, spec, "tokens", ClassLoss);
            }
        }
        w.Line();
        w.Line("/// <summary>The end of every TrainStep: backward from the loss gradient, clipping, the optimizer's update.</summary>");
        using (w.Block($"private {t} FinishTrainStep({t} loss, {ReadOnlySpan}<{t}> outputGradients, {optimizer} optimizer, {t} maxGradientNorm)"))
        {
            w.Line("Backward(outputGradients);");
            w.Line("if (maxGradientNorm > 0) global::RnnGen.GradientClipping.ClipByGlobalNorm(Gradients, maxGradientNorm);");
            w.Line("optimizer.Step(_parameters.Span, Gradients);");
            w.Line("_packedStale = true;");
            w.Line("return loss;");
        }
    }

    private const string ClassLoss = "lastStepOnly\n    ? global::RnnGen.Losses.SoftmaxCrossEntropyLastStep(outputs, classTargets, OutputSize, outputGradients)\n    : global::RnnGen.Losses.SoftmaxCrossEntropy(outputs, classTargets, OutputSize, outputGradients)";

    private static void WriteTrainStepBody(CodeWriter w, ModelSpec spec, string inputs, string loss)
    {
        string t = spec.ElementType;
        w.Line("global::System.ArgumentNullException.ThrowIfNull(optimizer);");
        w.Line($"global::RnnGen.Guard.RecordableSteps(steps, SequenceLength, nameof({inputs}));");
        w.Line("TrainingBuffers training = Training;");
        w.Line($"{Span}<{t}> outputs = new {Span}<{t}>(training.Outputs, 0, steps * OutputSize);");
        w.Line($"{Span}<{t}> outputGradients = new {Span}<{t}>(training.OutputGradients, 0, steps * OutputSize);");
        w.Line("ZeroGradients();");
        w.Line($"ForwardTraining({inputs}, outputs);");
        string[] lines = loss.Split('\n');
        w.Line($"{t} value = {lines[0]}" + (lines.Length == 1 ? ";" : ""));
        for (int i = 1; i < lines.Length; i++) w.Line(lines[i] + (i == lines.Length - 1 ? ";" : ""));
        w.Line("return FinishTrainStep(value, outputGradients, optimizer, maxGradientNorm);");
    }

    private static void WriteInitialization(CodeWriter w, ModelSpec spec)
    {
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Fills every parameter from a seed, deterministically on every machine. By default as PyTorch initializes: recurrent");
        w.Line("/// tensors uniform in ±1/√H, Dense weights and biases uniform in ±1/√in; <paramref name=\"options\"/> selects Xavier or");
        w.Line("/// orthogonal weights, zero biases, and the LSTM forget-gate bias.");
        w.Line("/// </summary>");
        using (w.Block("public void InitializeParameters(int seed, global::RnnGen.InitializationOptions? options = null)"))
        {
            w.Line("var init = new global::RnnGen.ParameterInitializer(seed, options);");
            if (spec.Embedding is { } embedding)
                w.Line($"init.EmbeddingWeights(Parameter(\"{embedding.WeightName}\"));");
            foreach (RecurrentLayerSpec layer in spec.Layers)
            {
                string gates = layer.Cell.GateCount().ToString();
                string forget = layer.Cell == CellKind.Lstm ? "1" : "-1";
                w.Line($"init.RecurrentWeights(Parameter(\"{layer.WeightIhName}\"), gates: {gates}, hidden: {layer.HiddenSize}, columns: {layer.InputSize}, recurrent: false);");
                w.Line($"init.RecurrentWeights(Parameter(\"{layer.WeightHhName}\"), gates: {gates}, hidden: {layer.HiddenSize}, columns: {layer.HiddenSize}, recurrent: true);");
                if (layer.Bias)
                {
                    w.Line($"init.RecurrentBias(Parameter(\"{layer.BiasIhName}\"), hidden: {layer.HiddenSize}, forgetGate: {forget}, inputBias: true);");
                    w.Line($"init.RecurrentBias(Parameter(\"{layer.BiasHhName}\"), hidden: {layer.HiddenSize}, forgetGate: {forget}, inputBias: false);");
                }
            }
            foreach (DenseLayerSpec dense in spec.Head)
            {
                w.Line($"init.DenseWeights(Parameter(\"{dense.WeightName}\"), outputs: {dense.OutputSize}, inputs: {dense.InputSize});");
                if (dense.Bias) w.Line($"init.DenseBias(Parameter(\"{dense.BiasName}\"), inputs: {dense.InputSize});");
            }
        }
    }
}
