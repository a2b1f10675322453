using System.Collections.Generic;
using System.Linq;
using RnnGen.Generator.Model;

namespace RnnGen.Generator.Emit;

/// <summary>
/// The packed inference path: weights rearranged once (see <see cref="PackedLayer"/>) and kernels written in
/// Vector256 with every size a constant. It serves Step, Forward and the training forward where Vector256 is
/// hardware-accelerated (AVX2); elsewhere the portable kernels (Vector&lt;T&gt; over PyTorch's layout) do.
/// </summary>
internal static partial class ModelEmitter
{
    private const string Simd = "global::RnnGen.Simd";
    private const string Ref = "global::System.Runtime.CompilerServices.Unsafe";

    /// <summary>Whether the packed path is available: Vector256 accelerated (a JIT-time constant, so the other path is dropped).</summary>
    private const string PackedAvailable = "global::System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated";

    private static void WritePackedFields(CodeWriter w, ModelSpec spec, PackedModel packed)
    {
        string t = spec.ElementType;
        w.Line();
        w.Line("// Packed inference weights (see PackWeights): rebuilt from the parameters before the first inference or training call after they change.");
        foreach (PackedLayer? layer in packed.Layers)
            if (layer is not null) w.Line($"private const int {layer.Constant} = {layer.Offset};");
        foreach (PackedDense dense in packed.Head)
            w.Line($"private const int {dense.Constant} = {dense.Offset};");
        w.Line($"private const int PackedLength = {packed.Length};");
        w.Line($"private const int ProjectionLength = {System.Math.Max(packed.ProjectionLength, 1)};");
        w.Line($"private const int StepScratchLength = ScratchLength + ProjectionLength + {packed.HiddenScratch};");
        w.Line($"private const int TileSteps = {PackedModel.TileSteps};");
        w.Line($"private const int SequenceScratchLength = StepScratchLength + TileSteps * (ProjectionLength + {2 * packed.WidestHidden});");
        w.Line($"private readonly global::RnnGen.AlignedBuffer<{t}> _packed = new(PackedLength); // cache-line aligned: no vector load straddles two lines");
        w.Line("private bool _packedStale = true;");
        w.Line();
        w.Line("// Per-thread scratch of the inference calls, allocated on a thread's first call: nothing to zero or rent per step,");
        w.Line("// and streams stepped on different threads never share it.");
        w.Line("[global::System.ThreadStatic]");
        w.Line($"private static global::RnnGen.AlignedBuffer<{t}>? t_stepScratch;");
        w.Line("[global::System.ThreadStatic]");
        w.Line($"private static global::RnnGen.AlignedBuffer<{t}>? t_sequenceScratch;");
        w.Line();
        w.Line($"private static {Span}<{t}> StepScratch() => (t_stepScratch ??= new(StepScratchLength)).Span;");
        w.Line();
        w.Line($"private static {Span}<{t}> SequenceScratch() => (t_sequenceScratch ??= new(SequenceScratchLength)).Span;");
    }

    private static void WritePackWeights(CodeWriter w, ModelSpec spec, PackedModel packed)
    {
        string t = spec.ElementType;
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Tells the model that parameters changed through a span kept from an earlier <see cref=\"Parameters\"/> or");
        w.Line("/// <see cref=\"Parameter(string)\"/> call; the next inference call then rebuilds its packed weights. Taking the span,");
        w.Line("/// loading, initializing and training already do this.");
        w.Line("/// </summary>");
        w.Line("public void ParametersChanged() => _packedStale = true;");
        w.Line();
        w.Line("/// <summary>Rebuilds the packed inference weights from the parameters (PyTorch layout).</summary>");
        using (w.Block("private void PackWeights()"))
        {
            w.Line("_packedStale = false;");
            w.Line($"{ReadOnlySpan}<{t}> p = _parameters.Span;");
            for (int i = 0; i < spec.Layers.Count; i++)
            {
                if (packed.Layers[i] is not { } layer) continue;
                RecurrentLayerSpec l = layer.Layer;
                string x = $"Layer{l.Index}";
                string biasIh = l.Bias ? $"p.Slice({x}BiasIh, {l.GateRows})" : "default";
                string biasHh = l.Bias ? $"p.Slice({x}BiasHh, {l.GateRows})" : "default";
                w.Line($"global::RnnGen.PackedWeights.Recurrent(_packed.Span.Slice({layer.Constant}, {layer.Length}), " +
                    $"p.Slice({x}WeightIh, {l.GateRows * l.InputSize}), p.Slice({x}WeightHh, {l.GateRows * l.HiddenSize}), {biasIh}, {biasHh}, " +
                    $"inputSize: {l.InputSize}, hidden: {l.HiddenSize}, gates: {layer.WeightBlocks}, separateCandidateBiases: {Bool(l.Cell == CellKind.Gru)}, " +
                    $"lanes: {layer.Width.Lanes}, chunksPerPass: {layer.Passes[0].ChunkCount});");
            }
            foreach (PackedDense dense in packed.Head)
            {
                DenseLayerSpec d = dense.Dense;
                string bias = d.Bias ? $"p.Slice(Dense{d.Index}Bias, {d.OutputSize})" : "default";
                w.Line($"global::RnnGen.PackedWeights.{(dense.DotForm ? "DenseRows" : "DenseColumns")}(_packed.Span.Slice({dense.Constant}, {dense.Length}), " +
                    $"p.Slice(Dense{d.Index}Weight, {d.OutputSize * d.InputSize}), {bias}, outputs: {d.OutputSize}, inputs: {d.InputSize}, lanes: {dense.Width.Lanes});");
            }
        }
    }

    /// <summary>StepPacked: one step through every layer on the packed weights.</summary>
    private static void WriteStepPacked(CodeWriter w, ModelSpec spec, PackedModel packed)
    {
        string t = spec.ElementType;
        w.Line();
        w.Line("/// <summary>One step on the packed weights: per layer the input projection, then the recurrence; then the head.</summary>");
        using (w.Block($"private void StepPacked(ref State state, {ReadOnlySpan}<{t}> input, {Span}<{t}> output, {Span}<{t}> scratch)"))
        {
            w.Line("if (_packedStale) PackWeights();");
            w.Line($"ref {t} weights = ref _packed.Data;");
            w.Line($"{Span}<{t}> projection = scratch.Slice(ScratchLength, ProjectionLength);");
            w.Line($"{Span}<{t}> next = scratch.Slice(ScratchLength + ProjectionLength);");
            string below = "input";
            foreach (RecurrentLayerSpec layer in spec.Layers)
            {
                string cell = layer.HasCellState ? $", state.Layer{layer.Index}Cell" : "";
                if (packed.Layers[layer.Index] is { } p)
                {
                    w.Line($"Layer{layer.Index}Project(ref {Ref}.Add(ref weights, {p.Constant}), ref {MemoryMarshal}.GetReference({below}), 1, ref {MemoryMarshal}.GetReference(projection));");
                    w.Line($"Layer{layer.Index}RecurRows(ref weights, projection, {MemoryMarshal}.CreateSpan(ref state, 1), 0, 1, next);");
                }
                else
                {
                    w.Line($"Layer{layer.Index}({below}, state.Layer{layer.Index}Hidden{cell}, scratch);");
                }
                below = $"state.Layer{layer.Index}Hidden";
            }
            if (spec.Head.Count > 0) w.Line($"HeadPacked({below}, output, scratch);");
            else w.Line($"{below}.CopyTo(output);");
        }
    }

    /// <summary>ForwardPacked: rows (steps of one or more streams) tile by tile, each layer over the whole tile, input projections as one product.</summary>
    private static void WriteForwardPacked(CodeWriter w, ModelSpec spec, PackedModel packed)
    {
        string t = spec.ElementType;
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Runs <paramref name=\"rows\"/> rows of input on the packed weights: row r is a step of stream r mod <c>states.Length</c>");
        w.Line("/// (time-major, so one stream is simply its steps). <see cref=\"TileSteps\"/> rows at a time, each layer first computes");
        w.Line("/// W_ih x + b for the whole tile as one matrix product (each weight read once per four rows), then runs the recurrence");
        w.Line("/// row by row; a row's state is its stream's, whose previous step is an earlier row.");
        w.Line("/// </summary>");
        using (w.Block($"private void ForwardPacked({Span}<State> states, {ReadOnlySpan}<{t}> inputs, {Span}<{t}> outputs, int rows)"))
        {
            w.Line("if (_packedStale) PackWeights();");
            w.Line($"{Span}<{t}> buffer = SequenceScratch();");
            w.Line($"ref {t} weights = ref _packed.Data;");
            w.Line($"{Span}<{t}> scratch = buffer.Slice(0, StepScratchLength);");
            w.Line($"{Span}<{t}> projections = buffer.Slice(StepScratchLength, TileSteps * ProjectionLength);");
            w.Line($"{Span}<{t}> below = buffer.Slice(StepScratchLength + TileSteps * ProjectionLength, TileSteps * {packed.WidestHidden});");
            w.Line($"{Span}<{t}> above = buffer.Slice(StepScratchLength + TileSteps * (ProjectionLength + {packed.WidestHidden}), TileSteps * {packed.WidestHidden});");
            w.Line("int streams = states.Length;");
            using (w.Block("for (int start = 0; start < rows; start += TileSteps)"))
            {
                w.Line("int tile = global::System.Math.Min(TileSteps, rows - start);");
                string source = "inputs.Slice(start * InputSize, tile * InputSize)";
                int width = spec.InputSize;
                foreach (RecurrentLayerSpec layer in spec.Layers)
                {
                    string cell = layer.HasCellState ? $", state.Layer{layer.Index}Cell" : "";
                    int h = layer.HiddenSize;
                    w.Line($"// Layer {layer.Index}: {DescribeLayer(layer)}");
                    PackedLayer? p = packed.Layers[layer.Index];
                    if (p is not null)
                    {
                        w.Line($"Layer{layer.Index}Project(ref {Ref}.Add(ref weights, {p.Constant}), ref {MemoryMarshal}.GetReference({source}), tile, ref {MemoryMarshal}.GetReference(projections));");
                        w.Line($"Layer{layer.Index}RecurRows(ref weights, projections, states, start, tile, above);");
                    }
                    else
                    {
                        using (w.Block("for (int row = 0; row < tile; row++)"))
                        {
                            w.Line("ref State state = ref states[(start + row) % streams];");
                            w.Line($"Layer{layer.Index}({source}.Slice(row * {width}, {width}), state.Layer{layer.Index}Hidden{cell}, scratch);");
                            w.Line($"state.Layer{layer.Index}Hidden.CopyTo(above.Slice(row * {h}, {h}));");
                        }
                    }
                    w.Line($"{{ {Span}<{t}> swap = below; below = above; above = swap; }} // this layer's outputs are the next one's inputs");
                    source = "below";
                    width = h;
                }
                w.Line("// Head");
                using (w.Block("for (int row = 0; row < tile; row++)"))
                {
                    string top = $"below.Slice(row * {width}, {width})";
                    string destination = "outputs.Slice((start + row) * OutputSize, OutputSize)";
                    w.Line(spec.Head.Count > 0 ? $"HeadPacked({top}, {destination}, scratch);" : $"{top}.CopyTo({destination});");
                }
            }
        }
    }

    private static void WritePackedLayer(CodeWriter w, ModelSpec spec, PackedLayer layer)
    {
        w.Line();
        WriteProjection(w, spec, layer);
        w.Line();
        WriteRecurRows(w, spec, layer);
        foreach (PackedPass pass in layer.Passes)
        {
            w.Line();
            WritePass(w, spec, layer, pass);
            w.Line();
            WritePassStreams(w, spec, layer, pass, PairStreams, PairVectors);
            w.Line();
            WritePassStreams(w, spec, layer, pass, QuadStreams, ProjectionVectors);
        }
        WriteCellMethods(w, spec, layer);
        if (layer.Layer.Cell != CellKind.SimpleRnn && PackedTraining(spec))
        {
            w.Line();
            WriteTraceGates(w, spec, layer);
        }
    }

    /// <summary>Layer{n}TraceGates: the activated gates the cells left in the slots ([chunk][gate][lanes]), in the trace's order [gate][unit].</summary>
    private static void WriteTraceGates(CodeWriter w, ModelSpec spec, PackedLayer layer)
    {
        string t = spec.ElementType;
        RecurrentLayerSpec l = layer.Layer;
        int h = l.HiddenSize, lanes = layer.Width.Lanes;
        string order = l.Cell == CellKind.Lstm ? "σ(i), σ(f), tanh(g), σ(o)" : "σ(r), σ(z), n, n_h";
        int whole = h / lanes; // chunks of a whole vector: one load and one store per gate; a last partial chunk is copied
        w.Line($"/// <summary>Copies the gates of layer {l.Index}'s last step ({order}) from the projection's slots into the trace's <c>[gate][unit]</c> rows.</summary>");
        using (w.Block($"private static void Layer{l.Index}TraceGates({ReadOnlySpan}<{t}> slots, {Span}<{t}> gates)"))
        {
            if (whole > 0)
            {
                w.Line($"ref {t} slot = ref {MemoryMarshal}.GetReference(slots);");
                w.Line($"ref {t} gate = ref {MemoryMarshal}.GetReference(gates);");
                using (w.Block($"for (int chunk = 0; chunk < {whole}; chunk++)"))
                {
                    w.Line($"for (int g = 0; g < {layer.BiasBlocks}; g++) // in bounds: the slots hold {layer.Chunks} chunks × {layer.BiasBlocks} gates × {lanes}, the trace {layer.BiasBlocks} × {h}");
                    w.Line($"    {layer.Width.Static}.StoreUnsafe({layer.Width.Static}.LoadUnsafe(ref slot, (nuint)((chunk * {layer.BiasBlocks} + g) * {lanes})), ref gate, (nuint)(g * {h} + chunk * {lanes}));");
                }
            }
            if (h % lanes != 0)
            {
                w.Line($"for (int g = 0; g < {layer.BiasBlocks}; g++)");
                string slot = whole == 0 ? "g" : $"({whole * layer.BiasBlocks} + g)";
                string unit = whole == 0 ? "" : $" + {whole * lanes}";
                w.Line($"    slots.Slice({slot} * {lanes}, {h % lanes}).CopyTo(gates.Slice(g * {h}{unit}, {h % lanes}));");
            }
        }
    }

    private static string[] WeightGates(CellKind cell) => cell switch
    {
        CellKind.Lstm => new[] { "i", "f", "g", "o" },
        CellKind.Gru => new[] { "r", "z", "nx" },
        _ => new[] { "a" },
    };

    /// <summary>Layer{n}Project: proj[t] = W_ih x_t + b for a block of steps, four steps and three gate vectors at a time.</summary>
    private static void WriteProjection(CodeWriter w, ModelSpec spec, PackedLayer layer)
    {
        string t = spec.ElementType;
        VectorWidth v = layer.Width;
        RecurrentLayerSpec l = layer.Layer;
        int lanes = v.Lanes;
        w.Line($"/// <summary>");
        w.Line($"/// Input projections of layer {l.Index} for <paramref name=\"steps\"/> steps: proj[t] = W_ih x_t + b (the biases of every gate; for a GRU's n");
        w.Line($"/// only b_in), laid out [chunk][gate][{lanes}] per step, {layer.ProjectionLength} values. Each weight vector is loaded once per four steps.");
        w.Line($"/// </summary>");
        using (w.Block($"private static void Layer{l.Index}Project(ref {t} w, ref {t} xs, int steps, ref {t} proj)"))
        {
            // Passes of the same width differ only in where their weights and projection slots start: one loop serves
            // them all, so the method's size does not grow with the layer's.
            PackedPass firstPass = layer.Passes[0];
            int alike = layer.Passes.TakeWhile(p => p.ChunkCount == firstPass.ChunkCount).Count();
            int done = 0;
            if (alike > 1)
            {
                int passSlots = firstPass.ChunkCount * layer.BiasBlocks * lanes;
                w.Line($"// Passes 0..{alike - 1}, {firstPass.ChunkCount} chunk{(firstPass.ChunkCount == 1 ? "" : "s")} each: {firstPass.Length} weights and {passSlots} projection values apart");
                using (w.Block($"for (int pass = 0; pass < {alike}; pass++)"))
                {
                    w.Line($"ref {t} passWeights = ref {Ref}.Add(ref w, pass * {firstPass.Length});");
                    w.Line($"ref {t} passProj = ref {Ref}.Add(ref proj, pass * {passSlots});");
                    WriteProjectionPass(w, spec, layer, firstPass with { Offset = 0, FirstChunk = 0 }, "passWeights", "passProj", relative: true);
                }
                done = alike;
            }
            foreach (PackedPass pass in layer.Passes.Skip(done))
                WriteProjectionPass(w, spec, layer, pass, "w", "proj", relative: false);
        }
    }

    /// <summary>
    /// One pass's projections, <see cref="ProjectionVectors"/> gate vectors at a time; a <paramref name="relative"/> pass
    /// is the loop body over alike passes.
    /// </summary>
    private static void WriteProjectionPass(CodeWriter w, ModelSpec spec, PackedLayer layer, PackedPass pass, string weights, string proj, bool relative)
    {
        string t = spec.ElementType;
        int lanes = layer.Width.Lanes;
        int rowLength = pass.ChunkCount * layer.WeightBlocks * lanes;
        int vectors = pass.ChunkCount * layer.WeightBlocks;
        for (int group = 0; group < vectors; group += ProjectionVectors)
        {
            int count = System.Math.Min(ProjectionVectors, vectors - group);
            string labels = string.Join(", ", Enumerable.Range(group, count).Select(i => relative ? RelativeGateLabel(layer, i) : GateLabel(layer, pass, i)));
            w.Line(relative ? $"// Gate vectors {group}..{group + count - 1} ({labels})" : $"// Pass {pass.Index}, gate vectors {group}..{group + count - 1} ({labels})");
            using (w.Block())
            {
                w.Line($"ref {t} bias = ref {Ref}.Add(ref {weights}, {pass.Offset});");
                w.Line($"ref {t} rows = ref {Ref}.Add(ref {weights}, {pass.Offset + pass.ChunkCount * layer.BiasBlocks * lanes + group * lanes});");
                w.Line("int t = 0;");
                using (w.Block("for (; t + 4 <= steps; t += 4)"))
                    WriteProjectionBlock(w, spec, layer, pass, group, count, 4, rowLength, proj);
                using (w.Block("for (; t < steps; t++)"))
                    WriteProjectionBlock(w, spec, layer, pass, group, count, 1, rowLength, proj);
            }
        }
    }

    /// <summary>
    /// Gate vectors per projection block: four steps × three vectors = 12 accumulators, plus the three weight vectors and
    /// one broadcast, fill AVX2's 16 vector registers exactly (four vectors needed 21 and the JIT spilled five per k).
    /// </summary>
    private const int ProjectionVectors = 3;

    /// <summary>A gate vector named within its pass: "i of chunk 1".</summary>
    private static string RelativeGateLabel(PackedLayer layer, int vector) =>
        $"{WeightGates(layer.Layer.Cell)[vector % layer.WeightBlocks]} of chunk {vector / layer.WeightBlocks}";

    /// <summary>A gate vector named by its units: "i 8..15" (<paramref name="gates"/> names the blocks; by default the weights' gates).</summary>
    private static string GateLabel(PackedLayer layer, PackedPass pass, int vector, string[]? gates = null)
    {
        int lanes = layer.Width.Lanes;
        int chunk = pass.FirstChunk + vector / layer.WeightBlocks;
        string gate = (gates ?? WeightGates(layer.Layer.Cell))[vector % layer.WeightBlocks];
        int first = chunk * lanes;
        int last = System.Math.Min(layer.Layer.HiddenSize, first + lanes) - 1;
        return $"{gate} {first}..{last}";
    }

    private static void WriteProjectionBlock(CodeWriter w, ModelSpec spec, PackedLayer layer, PackedPass pass, int group, int count, int steps, int rowLength, string proj)
    {
        string t = spec.ElementType;
        VectorWidth v = layer.Width;
        int lanes = v.Lanes;
        int input = layer.Layer.InputSize;
        for (int s = 0; s < steps; s++)
        {
            for (int c = 0; c < count; c++)
            {
                int vector = group + c;
                int biasVector = vector / layer.WeightBlocks * layer.BiasBlocks + vector % layer.WeightBlocks;
                w.Line($"{v.Type} a{s}{c} = {v.Static}.LoadUnsafe(ref bias, {biasVector * lanes});");
            }
        }
        w.Line($"ref {t} x = ref {Ref}.Add(ref xs, t * {input}); // x_t[k], advancing with k: the steps' values are constant offsets from it");
        w.Line($"ref {t} row = ref rows;");
        using (w.Block($"for (int k = 0; k < {input}; k++)"))
        {
            for (int c = 0; c < count; c++)
                w.Line($"{v.Type} w{c} = {v.Static}.LoadUnsafe(ref row, {c * lanes});");
            for (int s = 0; s < steps; s++)
            {
                w.Line($"{v.Type} x{s} = {v.Static}.Create({(s == 0 ? "x" : $"{Ref}.Add(ref x, {s * input})")});");
                for (int c = 0; c < count; c++)
                    w.Line($"a{s}{c} = {Simd}.MultiplyAdd(w{c}, x{s}, a{s}{c});");
            }
            w.Line($"row = ref {Ref}.Add(ref row, {rowLength});");
            w.Line($"x = ref {Ref}.Add(ref x, 1);");
        }
        for (int s = 0; s < steps; s++)
        {
            for (int c = 0; c < count; c++)
            {
                int vector = group + c;
                int slot = layer.Slot(pass.FirstChunk + vector / layer.WeightBlocks, vector % layer.WeightBlocks);
                string at = s == 0 ? "t" : $"t + {s}";
                w.Line($"{v.Static}.StoreUnsafe(a{s}{c}, ref {proj}, (nuint)(({at}) * {layer.ProjectionLength} + {slot}));");
            }
        }
    }

    /// <summary>Layer{n}RecurRows: the recurrence over a tile's rows, pass-major across rows of distinct streams.</summary>
    private static void WriteRecurRows(CodeWriter w, ModelSpec spec, PackedLayer layer)
    {
        string t = spec.ElementType;
        RecurrentLayerSpec l = layer.Layer;
        int h = l.HiddenSize;
        w.Line("/// <summary>");
        w.Line($"/// One step of layer {l.Index} for each of <paramref name=\"rows\"/> rows from <paramref name=\"start\"/> (row r is a step of stream r mod");
        w.Line("/// <c>states.Length</c>), writing each row's h' to <paramref name=\"hidden\"/> and its stream's state. Consecutive rows of");
        w.Line("/// distinct streams are independent, so they run pass by pass: a pass's weights come from memory for the first row");
        w.Line("/// and from cache for the others.");
        w.Line("/// </summary>");
        using (w.Block($"private void Layer{l.Index}RecurRows(ref {t} weights, {Span}<{t}> projections, {Span}<State> states, int start, int rows, {Span}<{t}> hidden)"))
        {
            w.Line($"ref {t} w = ref {Ref}.Add(ref weights, {layer.Constant});");
            w.Line("int streams = states.Length;");
            using (w.Block("for (int first = 0; first < rows; first += streams)"))
            {
                w.Line("int end = global::System.Math.Min(rows, first + streams);");
                string Arguments(string row, string state) =>
                    $"ref {MemoryMarshal}.GetReference(projections.Slice({row} * {layer.ProjectionLength})), ref {MemoryMarshal}.GetReference({state}.Layer{l.Index}Hidden), " +
                    (l.HasCellState ? $"ref {MemoryMarshal}.GetReference({state}.Layer{l.Index}Cell), " : "") +
                    $"ref {MemoryMarshal}.GetReference(hidden.Slice({row} * {h}))";
                foreach (PackedPass pass in layer.Passes)
                {
                    w.Line($"// Pass {pass.Index}: four streams at a time, then two, then the odd one");
                    using (w.Block())
                    {
                        w.Line("int row = first;");
                        // The rows of streams A, B, … are row, row + 1, …; their states are a, b, ….
                        void CallGroup(string[] group, string suffix)
                        {
                            for (int i = 0; i < group.Length; i++)
                                w.Line($"ref State {group[i].ToLowerInvariant()} = ref states[(start + row{(i == 0 ? "" : $" + {i}")}) % streams];");
                            w.Line($"Layer{l.Index}Pass{pass.Index}{suffix}(ref w, " + string.Join(", ", group.Select((s, i) =>
                                Arguments(i == 0 ? "row" : $"(row + {i})", s.ToLowerInvariant()))) + ");");
                        }
                        using (w.Block("for (; row + 3 < end; row += 4)"))
                            CallGroup(QuadStreams, "Quad");
                        using (w.Block("if (row + 1 < end)"))
                        {
                            CallGroup(PairStreams, "Pair");
                            w.Line("row += 2;");
                        }
                        using (w.Block("if (row < end)"))
                        {
                            w.Line("ref State state = ref states[(start + row) % streams];");
                            w.Line($"Layer{l.Index}Pass{pass.Index}(ref w, {Arguments("row", "state")});");
                        }
                    }
                }
                if (CellsAfterPasses(layer))
                {
                    using (w.Block("if ((end - first) % 2 == 1) // the odd row ran the single-stream passes, which leave its cell updates to here"))
                    {
                        w.Line("int row = end - 1;");
                        w.Line("ref State state = ref states[(start + row) % streams];");
                        w.Line($"Layer{l.Index}Cells(ref {MemoryMarshal}.GetReference(projections.Slice(row * {layer.ProjectionLength})), " +
                            $"ref {MemoryMarshal}.GetReference(state.Layer{l.Index}Cell), ref {MemoryMarshal}.GetReference(hidden.Slice(row * {h})));");
                    }
                }
                using (w.Block("for (int row = first; row < end; row++)"))
                    w.Line($"hidden.Slice(row * {h}, {h}).CopyTo(states[(start + row) % streams].Layer{l.Index}Hidden);");
            }
        }
    }

    /// <summary>Layer{n}Pass{p}: accumulators ← projection; + W_hh h in saxpy form; the cell update of the pass's units (for an LSTM of more than one chunk, after the last pass, in Layer{n}Cells).</summary>
    private static void WritePass(CodeWriter w, ModelSpec spec, PackedLayer layer, PackedPass pass)
    {
        string t = spec.ElementType;
        VectorWidth v = layer.Width;
        RecurrentLayerSpec l = layer.Layer;
        int lanes = v.Lanes;
        int first = pass.FirstChunk * lanes;
        int last = System.Math.Min(l.HiddenSize, (pass.FirstChunk + pass.ChunkCount) * lanes) - 1;
        string[] recurrent = RecurrentAccumulators(l.Cell);
        int rowLength = pass.ChunkCount * layer.WeightBlocks * lanes;
        string cellParameter = l.HasCellState ? $", ref {t} c" : "";
        w.Line($"/// <summary>Layer {l.Index}, pass {pass.Index}: hidden units {first}..{last} ({pass.ChunkCount} × {lanes} lanes, {v.Name}).</summary>");
        using (w.Block($"private static void Layer{l.Index}Pass{pass.Index}(ref {t} w, ref {t} proj, ref {t} h{cellParameter}, ref {t} hOut)"))
        {
            w.Line(l.Cell == CellKind.Gru
                ? "// r, z ← W_ih x + b_ih + b_hh (projection); nh ← b_hn"
                : "// Gate accumulators ← W_ih x + b_ih + b_hh (the projection)");
            for (int j = 0; j < pass.ChunkCount; j++)
            {
                int chunk = pass.FirstChunk + j;
                for (int b = 0; b < recurrent.Length; b++)
                    w.Line($"{v.Type} {recurrent[b]}{j} = {AccumulatorStart(layer, pass, j, b, "proj")};");
            }
            w.Line($"// + W_hh h: row k holds column k of weight_hh for every gate of these units");
            w.Line($"ref {t} row = ref {Ref}.Add(ref w, {HiddenRows(layer, pass)});");
            using (w.Block($"for (int k = 0; k < {l.HiddenSize}; k++)"))
            {
                w.Line($"{v.Type} hk = {v.Static}.Create({Ref}.Add(ref h, k));");
                for (int j = 0; j < pass.ChunkCount; j++)
                    for (int b = 0; b < recurrent.Length; b++)
                        w.Line($"{recurrent[b]}{j} = {Simd}.MultiplyAdd({v.Static}.LoadUnsafe(ref row, {(j * layer.WeightBlocks + b) * lanes}), hk, {recurrent[b]}{j});");
                w.Line($"row = ref {Ref}.Add(ref row, {rowLength});");
            }
            w.Line("// Park the gate sums in the projection's slots, so each chunk's update below holds only its own gates");
            for (int j = 0; j < pass.ChunkCount; j++)
                for (int b = 0; b < recurrent.Length; b++)
                    w.Line($"{v.Static}.StoreUnsafe({recurrent[b]}{j}, ref proj, {layer.Slot(pass.FirstChunk + j, RecurrentSlot(l.Cell, b))});");
            if (CellsAfterPasses(layer)) w.Line($"// The cell updates of all units follow the last pass, in Layer{l.Index}Cells");
            else WriteCellCalls(w, layer, pass, "");
        }
    }

    /// <summary>The recurrent accumulators of a chunk: the cell's gates, with a GRU's n split off as n_h (W_hn h + b_hn).</summary>
    private static string[] RecurrentAccumulators(CellKind cell) => cell == CellKind.Gru ? new[] { "r", "z", "nh" } : WeightGates(cell);

    /// <summary>Where a pass's recurrent rows start (after its biases and its input rows): row k is column k of weight_hh.</summary>
    private static int HiddenRows(PackedLayer layer, PackedPass pass) =>
        pass.Offset + (pass.ChunkCount * layer.BiasBlocks + layer.Layer.InputSize * pass.ChunkCount * layer.WeightBlocks) * layer.Width.Lanes;

    /// <summary>
    /// What accumulator <paramref name="block"/> of the pass's chunk <paramref name="j"/> starts from: its gate's input
    /// projection in <paramref name="projection"/>, or for a GRU's n_h the bias b_hn from the packed weights.
    /// </summary>
    private static string AccumulatorStart(PackedLayer layer, PackedPass pass, int j, int block, string projection)
    {
        VectorWidth v = layer.Width;
        return layer.Layer.Cell == CellKind.Gru && block == 2
            ? $"{v.Static}.LoadUnsafe(ref w, {pass.Offset + (j * layer.BiasBlocks + 3) * v.Lanes})"
            : $"{v.Static}.LoadUnsafe(ref {projection}, {layer.Slot(pass.FirstChunk + j, block)})";
    }

    /// <summary>
    /// Layer{n}Pass{p}Pair and Layer{n}Pass{p}Quad: the pass for two (A, B) or four (A..D) rows of distinct streams at
    /// once. The pass's gate vectors go in groups, each group's accumulators for every stream in registers: a pair takes
    /// up to four vectors (8 accumulators), a quad <see cref="ProjectionVectors"/> (12 accumulators, plus the three
    /// weight vectors and one broadcast: AVX2's 16 registers, like a projection block). Each weight vector is loaded once
    /// for all the streams' FMAs, so a batch reads the weights half (pair) or a quarter (quad) as often as single passes.
    /// Every accumulator adds W_hh h in the order of the single pass, so the bits are the same.
    /// </summary>
    private static void WritePassStreams(CodeWriter w, ModelSpec spec, PackedLayer layer, PackedPass pass, string[] streams, int groupVectors)
    {
        string t = spec.ElementType;
        VectorWidth v = layer.Width;
        RecurrentLayerSpec l = layer.Layer;
        int lanes = v.Lanes;
        int first = pass.FirstChunk * lanes;
        int last = System.Math.Min(l.HiddenSize, (pass.FirstChunk + pass.ChunkCount) * lanes) - 1;
        string[] recurrent = RecurrentAccumulators(l.Cell);
        int rowLength = pass.ChunkCount * layer.WeightBlocks * lanes;
        int hiddenRows = HiddenRows(layer, pass);
        int vectors = pass.ChunkCount * layer.WeightBlocks;
        string name = streams.Length == 2 ? "Pair" : "Quad";
        string cellParameters(string s) => l.HasCellState ? $", ref {t} c{s}" : "";
        w.Line($"/// <summary>Layer {l.Index}, pass {pass.Index} for {(streams.Length == 2 ? "two streams A and B" : "four streams A..D")}: hidden units {first}..{last}.</summary>");
        using (w.Block($"private static void Layer{l.Index}Pass{pass.Index}{name}(ref {t} w, " +
            string.Join(", ", streams.Select(s => $"ref {t} proj{s}, ref {t} h{s}{cellParameters(s)}, ref {t} hOut{s}")) + ")"))
        {
            // Groups of at most groupVectors vectors, as even as possible (four vectors in threes go 2 + 2, not 3 + 1).
            int groups = (vectors + groupVectors - 1) / groupVectors;
            for (int index = 0, group = 0; index < groups; index++)
            {
                int count = vectors / groups + (index < vectors % groups ? 1 : 0);
                string Name(int vector, string s) => $"{recurrent[vector % layer.WeightBlocks]}{vector / layer.WeightBlocks}{s}";
                string labels = string.Join(", ", Enumerable.Range(group, count).Select(i => GateLabel(layer, pass, i, recurrent)));
                string start = l.Cell == CellKind.Gru ? "projection (n_h ← b_hn)" : "projection";
                w.Line($"// Gate vector{(count > 1 ? $"s {group}..{group + count - 1}" : $" {group}")} ({labels}): accumulators ← {start}, + W_hh h, parked");
                using (w.Block())
                {
                    foreach (string s in streams)
                        for (int c = group; c < group + count; c++)
                            w.Line($"{v.Type} {Name(c, s)} = {AccumulatorStart(layer, pass, c / layer.WeightBlocks, c % layer.WeightBlocks, "proj" + s)};");
                    w.Line($"ref {t} row = ref {Ref}.Add(ref w, {hiddenRows + group * lanes});");
                    using (w.Block($"for (int k = 0; k < {l.HiddenSize}; k++)"))
                    {
                        for (int c = group; c < group + count; c++)
                            w.Line($"{v.Type} w{c - group} = {v.Static}.LoadUnsafe(ref row, {(c - group) * lanes});");
                        foreach (string s in streams)
                        {
                            w.Line($"{v.Type} hk{s} = {v.Static}.Create({Ref}.Add(ref h{s}, k));");
                            for (int c = group; c < group + count; c++)
                                w.Line($"{Name(c, s)} = {Simd}.MultiplyAdd(w{c - group}, hk{s}, {Name(c, s)});");
                        }
                        w.Line($"row = ref {Ref}.Add(ref row, {rowLength});");
                    }
                    foreach (string s in streams)
                        for (int c = group; c < group + count; c++)
                            w.Line($"{v.Static}.StoreUnsafe({Name(c, s)}, ref proj{s}, {layer.Slot(pass.FirstChunk + c / layer.WeightBlocks, RecurrentSlot(l.Cell, c % layer.WeightBlocks))});");
                }
                group += count;
            }
            foreach (string s in streams) WriteCellCalls(w, layer, pass, s);
        }
    }

    private static readonly string[] PairStreams = { "A", "B" };

    /// <summary>Gate vectors per group of a pair pass: 4 vectors × 2 streams = 8 accumulators.</summary>
    private const int PairVectors = 4;

    private static readonly string[] QuadStreams = { "A", "B", "C", "D" };

    /// <summary>The cell update of each chunk of the pass, from its parked gate sums (<paramref name="stream"/> suffixes the pointers' names).</summary>
    private static void WriteCellCalls(CodeWriter w, PackedLayer layer, PackedPass pass, string stream)
    {
        RecurrentLayerSpec l = layer.Layer;
        int lanes = layer.Width.Lanes;
        for (int j = 0; j < pass.ChunkCount; j++)
        {
            int chunk = pass.FirstChunk + j;
            int unit = chunk * lanes;
            bool tail = unit + lanes > l.HiddenSize;
            var arguments = new List<string> { $"ref {Ref}.Add(ref proj{stream}, {layer.Slot(chunk, 0)})" };
            if (l.HasCellState) arguments.Add($"ref {Ref}.Add(ref c{stream}, {unit})");
            if (l.Cell == CellKind.Gru) arguments.Add($"ref {Ref}.Add(ref h{stream}, {unit})");
            arguments.Add($"ref {Ref}.Add(ref hOut{stream}, {unit})");
            w.Line($"Layer{l.Index}Cell{(tail ? "Tail" : "")}({string.Join(", ", arguments)});");
        }
    }

    /// <summary>The projection slot a recurrent accumulator is parked in: its gate's, except a GRU's n_h (after n_x's).</summary>
    private static int RecurrentSlot(CellKind cell, int block) => cell == CellKind.Gru && block == 2 ? 3 : block;

    private static string LoadAt(VectorWidth v, string source, int offset, int width) =>
        width == v.Lanes ? $"{v.Static}.LoadUnsafe(ref {source}, {offset})" : $"{v.LoadPartial}(ref {Ref}.Add(ref {source}, {offset}), {width})";

    private static string StoreAt(VectorWidth v, string value, string destination, int offset, int width) =>
        width == v.Lanes ? $"{v.Static}.StoreUnsafe({value}, ref {destination}, {offset});" : $"{Simd}.StorePartial({value}, ref {Ref}.Add(ref {destination}, {offset}), {width});";

    /// <summary>
    /// Layer{n}Cell (and Layer{n}CellTail for a last chunk of fewer units): the cell update of one chunk from its parked
    /// gate sums. A method of its own, never inlined, so the JIT keeps every temporary of the activations in registers.
    /// </summary>
    private static void WriteCellMethods(CodeWriter w, ModelSpec spec, PackedLayer layer)
    {
        RecurrentLayerSpec l = layer.Layer;
        int lanes = layer.Width.Lanes;
        int rest = l.HiddenSize % lanes;
        w.Line();
        WriteCellMethod(w, spec, layer, $"Layer{l.Index}Cell", lanes);
        if (rest != 0)
        {
            w.Line();
            WriteCellMethod(w, spec, layer, $"Layer{l.Index}CellTail", rest);
        }
        if (CellsAfterPasses(layer))
        {
            w.Line();
            WriteLstmCells(w, spec, layer);
        }
    }

    /// <summary>
    /// Whether one stream's cell updates wait for all passes and run activation by activation (Layer{n}Cells): LSTM layers
    /// of more than one chunk. With one chunk there is nothing to put side by side, and the extra trip through memory
    /// measured 10 % slower (shape A).
    /// </summary>
    private static bool CellsAfterPasses(PackedLayer layer) =>
        layer.Layer.Cell == CellKind.Lstm && layer.Layer.HiddenSize > layer.Width.Lanes;

    /// <summary>
    /// Layer{n}Cells: the LSTM update of every unit of one stream, after all single-stream passes, activation by activation
    /// rather than chunk by chunk: the gate activations of all chunks first, then every c', then every h'. Each
    /// activation is a long dependent chain; side by side the core runs several at once, where one chunk's update after
    /// another left it waiting on each (B's Step about 4 % faster, docs/performance.md).
    /// </summary>
    private static void WriteLstmCells(CodeWriter w, ModelSpec spec, PackedLayer layer)
    {
        string t = spec.ElementType;
        VectorWidth v = layer.Width;
        RecurrentLayerSpec l = layer.Layer;
        int lanes = v.Lanes;
        int chunks = (l.HiddenSize + lanes - 1) / lanes, full = l.HiddenSize / lanes, rest = l.HiddenSize % lanes;
        int stride = layer.Slot(1, 0);
        string Sigmoid = Activate(spec, "Sigmoid"), Tanh = Activate(spec, "Tanh");
        string Gate(int block) => $"{v.Static}.LoadUnsafe(ref slots, {block * lanes})";
        string Unit(string chunk) => $"(nuint)({chunk} * {lanes})";
        // One statement for each whole chunk (a loop), then its partial form for the last units, each with its gate slots.
        void EveryChunk(System.Func<string, string> whole, System.Func<string> last)
        {
            if (full > 0)
            {
                using (w.Block($"for (int chunk = 0; chunk < {full}; chunk++)"))
                {
                    w.Line($"ref {t} slots = ref {Ref}.Add(ref gates, chunk * {stride});");
                    w.Line(whole("chunk"));
                }
            }
            if (rest == 0) return;
            using (w.Block())
            {
                w.Line($"ref {t} slots = ref {Ref}.Add(ref gates, {full * stride}); // the last {rest} unit{(rest == 1 ? "" : "s")}");
                w.Line(last());
            }
        }
        w.Line("/// <summary>");
        w.Line($"/// LSTM update of all {l.HiddenSize} units after the passes: c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g), h' = σ(o) ⊙ tanh(c'). The");
        w.Line("/// activations go side by side, not chunk after chunk, so the core overlaps their chains; each activated gate goes back");
        w.Line("/// into its slot, where the training forward records it.");
        w.Line("/// </summary>");
        w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]");
        using (w.Block($"private static void Layer{l.Index}Cells(ref {t} gates, ref {t} c, ref {t} hOut)"))
        {
            w.Line("// σ(i), σ(f), tanh(g), σ(o) of every chunk");
            using (w.Block($"for (int chunk = 0; chunk < {chunks}; chunk++)"))
            {
                w.Line($"ref {t} slots = ref {Ref}.Add(ref gates, chunk * {stride});");
                w.Line($"{v.Static}.StoreUnsafe({Sigmoid}({Gate(0)}), ref slots, 0);");
                w.Line($"{v.Static}.StoreUnsafe({Sigmoid}({Gate(1)}), ref slots, {lanes});");
                w.Line($"{v.Static}.StoreUnsafe({Tanh}({Gate(2)}), ref slots, {2 * lanes});");
                w.Line($"{v.Static}.StoreUnsafe({Sigmoid}({Gate(3)}), ref slots, {3 * lanes});");
            }
            w.Line("// c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g) of every chunk, then h' = σ(o) ⊙ tanh(c'): the tanh chains side by side too");
            EveryChunk(chunk => $"{v.Static}.StoreUnsafe({Simd}.MultiplyAdd({Gate(1)}, {v.Static}.LoadUnsafe(ref c, {Unit(chunk)}), {Gate(0)} * {Gate(2)}), ref c, {Unit(chunk)});",
                () => StoreAt(v, $"{Simd}.MultiplyAdd({Gate(1)}, {LoadAt(v, "c", full * lanes, rest)}, {Gate(0)} * {Gate(2)})", "c", full * lanes, rest));
            EveryChunk(chunk => $"{v.Static}.StoreUnsafe({Gate(3)} * {Tanh}({v.Static}.LoadUnsafe(ref c, {Unit(chunk)})), ref hOut, {Unit(chunk)});",
                () => StoreAt(v, $"{Gate(3)} * {Tanh}({LoadAt(v, "c", full * lanes, rest)})", "hOut", full * lanes, rest));
        }
    }

    /// <summary>The Simd method for an activation: FastSigmoid / FastTanh in a float model that asks for fast activations.</summary>
    private static string Activate(ModelSpec spec, string activation) =>
        spec.FastActivations && !spec.IsDouble && activation is "Sigmoid" or "Tanh" ? $"{Simd}.Fast{activation}" : $"{Simd}.{activation}";

    private static void WriteCellMethod(CodeWriter w, ModelSpec spec, PackedLayer layer, string name, int width)
    {
        string t = spec.ElementType;
        VectorWidth v = layer.Width;
        RecurrentLayerSpec l = layer.Layer;
        string Sigmoid = Activate(spec, "Sigmoid"), Tanh = Activate(spec, "Tanh");
        string Gate(int block) => $"{v.Static}.LoadUnsafe(ref gates, {block * v.Lanes})";
        string units = width == v.Lanes ? $"{width} units" : $"the last {width} unit{(width == 1 ? "" : "s")}";
        switch (l.Cell)
        {
            case CellKind.Lstm:
                w.Line($"/// <summary>");
                w.Line($"/// LSTM update of {units}: c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g), h' = σ(o) ⊙ tanh(c'); gates [i, f, g, o]. Each activated");
                w.Line($"/// gate goes back into its slot, where the training forward records it, before the next is computed (see Simd's constants).");
                w.Line($"/// </summary>");
                w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]");
                using (w.Block($"private static void {name}(ref {t} gates, ref {t} c, ref {t} hOut)"))
                {
                    w.Line($"{v.Type} i = {Sigmoid}({Gate(0)}); {GateStore(v, "i", 0)}");
                    w.Line($"{v.Type} f = {Sigmoid}({Gate(1)}); {GateStore(v, "f", 1)}");
                    w.Line($"{v.Type} g = {Tanh}({Gate(2)}); {GateStore(v, "g", 2)}");
                    w.Line($"{v.Type} o = {Sigmoid}({Gate(3)}); {GateStore(v, "o", 3)}");
                    w.Line($"{v.Type} cell = {Simd}.MultiplyAdd(f, {LoadAt(v, "c", 0, width)}, i * g);");
                    w.Line(StoreAt(v, "cell", "c", 0, width));
                    w.Line(StoreAt(v, "o * " + $"{Tanh}(cell)", "hOut", 0, width));
                }
                break;
            case CellKind.Gru:
                w.Line($"/// <summary>");
                w.Line($"/// GRU update of {units}: n = tanh(n_x + σ(r) ⊙ n_h), h' = n + σ(z) ⊙ (h − n); gates [r, z, n_x, n_h]. σ(r), σ(z)");
                w.Line($"/// and n go back into the first three slots, where the training forward records them (with n_h), each as soon as it is computed.");
                w.Line($"/// </summary>");
                w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]");
                using (w.Block($"private static void {name}(ref {t} gates, ref {t} h, ref {t} hOut)"))
                {
                    w.Line($"{v.Type} r = {Sigmoid}({Gate(0)}); {GateStore(v, "r", 0)}");
                    w.Line($"{v.Type} z = {Sigmoid}({Gate(1)}); {GateStore(v, "z", 1)}");
                    w.Line($"{v.Type} n = {Tanh}({Simd}.MultiplyAdd(r, {Gate(3)}, {Gate(2)})); {GateStore(v, "n", 2)}");
                    w.Line(StoreAt(v, $"{Simd}.MultiplyAdd(z, {LoadAt(v, "h", 0, width)} - n, n)", "hOut", 0, width));
                }
                break;
            default:
                string act = l.Activation == Activation.Relu ? "Relu" : "Tanh";
                w.Line($"/// <summary>SimpleRNN update of {units}: h' = {act.ToLowerInvariant()}(a).</summary>");
                w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]");
                using (w.Block($"private static void {name}(ref {t} gates, ref {t} hOut)"))
                    w.Line(StoreAt(v, $"{Activate(spec, act)}({Gate(0)})", "hOut", 0, width));
                break;
        }
    }

    private static string GateStore(VectorWidth v, string value, int block) => $"{v.Static}.StoreUnsafe({value}, ref gates, {block * v.Lanes});";

    /// <summary>HeadPacked and one kernel per Dense layer.</summary>
    private static void WritePackedHead(CodeWriter w, ModelSpec spec, PackedModel packed)
    {
        string t = spec.ElementType;
        int width = spec.Head.Max(d => d.OutputSize);
        w.Line();
        w.Line("/// <summary>The Dense layers on the packed weights, from the top hidden state <paramref name=\"x\"/> into <paramref name=\"output\"/>.</summary>");
        using (w.Block($"private void HeadPacked({ReadOnlySpan}<{t}> x, {Span}<{t}> output, {Span}<{t}> scratch)"))
        {
            w.Line($"ref {t} weights = ref _packed.Data;");
            string input = "x";
            foreach (PackedDense dense in packed.Head)
            {
                DenseLayerSpec d = dense.Dense;
                bool last = d.Index == spec.Head.Count - 1;
                string target = last ? "output" : $"dense{d.Index}";
                if (!last) w.Line($"{Span}<{t}> {target} = scratch.Slice({(d.Index % 2) * width}, {d.OutputSize});");
                w.Line($"Dense{d.Index}Packed(ref {Ref}.Add(ref weights, {dense.Constant}), ref {MemoryMarshal}.GetReference({input}), ref {MemoryMarshal}.GetReference({target}));");
                if (d.Activation != Activation.None && (dense.DotForm || d.Activation == Activation.Softmax))
                    w.Line($"{Activations}.{d.Activation}({target});");
                input = target;
            }
        }
        foreach (PackedDense dense in packed.Head)
        {
            w.Line();
            if (dense.DotForm) WriteDenseRows(w, spec, dense);
            else WriteDenseColumns(w, spec, dense);
        }
    }

    /// <summary>Few outputs: y_o = W[o, :] · x + b_o as vector dot products over the padded rows.</summary>
    private static void WriteDenseRows(CodeWriter w, ModelSpec spec, PackedDense dense)
    {
        string t = spec.ElementType;
        VectorWidth v = dense.Width;
        DenseLayerSpec d = dense.Dense;
        int lanes = v.Lanes;
        int row = dense.InputChunks * lanes;
        int full = d.InputSize / lanes;
        int rest = d.InputSize - full * lanes;
        w.Line($"/// <summary>Dense layer {d.Index} ({d.OutputSize} × {d.InputSize}): y_o = W[o, :] · x + b_o, one {v.Name} dot product per output.</summary>");
        using (w.Block($"private static void Dense{d.Index}Packed(ref {t} w, ref {t} x, ref {t} y)"))
        {
            for (int o = 0; o < d.OutputSize; o++) w.Line($"{v.Type} a{o} = {v.Type}.Zero;");
            if (full > 0)
            {
                using (w.Block($"for (int k = 0; k < {full * lanes}; k += {lanes})"))
                {
                    w.Line($"{v.Type} xk = {v.Static}.LoadUnsafe(ref x, (nuint)k);");
                    for (int o = 0; o < d.OutputSize; o++)
                        w.Line($"a{o} = {Simd}.MultiplyAdd({v.Static}.LoadUnsafe(ref w, (nuint)({o * row} + k)), xk, a{o});");
                }
            }
            if (rest > 0)
            {
                using (w.Block())
                {
                    w.Line($"{v.Type} xk = {v.LoadPartial}(ref {Ref}.Add(ref x, {full * lanes}), {rest});");
                    for (int o = 0; o < d.OutputSize; o++)
                        w.Line($"a{o} = {Simd}.MultiplyAdd({v.Static}.LoadUnsafe(ref w, {o * row + full * lanes}), xk, a{o});");
                }
            }
            for (int o = 0; o < d.OutputSize; o++)
                w.Line($"{Ref}.Add(ref y, {o}) = {v.Static}.Sum(a{o}) + {Ref}.Add(ref w, {d.OutputSize * row + o});");
        }
    }

    /// <summary>More outputs: y = b + Σ_k W[:, k] x_k in saxpy form, over output chunks with split partial sums.</summary>
    private static void WriteDenseColumns(CodeWriter w, ModelSpec spec, PackedDense dense)
    {
        string t = spec.ElementType;
        VectorWidth v = dense.Width;
        DenseLayerSpec d = dense.Dense;
        int lanes = v.Lanes;
        int row = dense.OutputChunks * lanes;
        w.Line($"/// <summary>Dense layer {d.Index} ({d.OutputSize} × {d.InputSize}): y = act(b + Σ_k W[:, k] x_k), row k of the packed weights being column k of W.</summary>");
        using (w.Block($"private static void Dense{d.Index}Packed(ref {t} w, ref {t} x, ref {t} y)"))
        {
            // Blocks of eight whole chunks are the same code at a stride: one loop serves them, so the method's size does
            // not grow with the layer's width. The rest (fewer chunks, or a partial chunk) is written out.
            int loopBlocks = d.OutputSize / (8 * lanes);
            if (loopBlocks < 2) loopBlocks = 0;
            if (loopBlocks > 0)
            {
                w.Line($"// Outputs 0..{loopBlocks * 8 * lanes - 1}, {8 * lanes} at a time");
                using (w.Block($"for (int first = 0; first < {loopBlocks * 8 * lanes}; first += {8 * lanes})"))
                    WriteDenseColumnBlock(w, spec, dense, "first", 8, loop: true);
            }
            for (int first = loopBlocks * 8; first < dense.OutputChunks; first += 8)
            {
                int chunks = System.Math.Min(8, dense.OutputChunks - first);
                int split = DenseSplit(chunks);
                w.Line($"// Outputs {first * lanes}..{System.Math.Min(d.OutputSize, (first + chunks) * lanes) - 1}{(split > 1 ? $", {split} partial sums over k" : "")}");
                using (w.Block())
                    WriteDenseColumnBlock(w, spec, dense, (first * lanes).ToString(System.Globalization.CultureInfo.InvariantCulture), chunks, loop: false);
            }
        }
    }

    /// <summary>Partial sums over interleaved k, so that at least four independent FMA chains are in flight.</summary>
    private static int DenseSplit(int chunks) => chunks >= 4 ? 1 : chunks >= 2 ? 2 : 4;

    /// <summary>
    /// <paramref name="chunks"/> output chunks from output <paramref name="first"/> (a constant, or the loop variable over
    /// whole blocks): accumulators ← bias, + W[:, k] x_k for every k, activation, store.
    /// </summary>
    private static void WriteDenseColumnBlock(CodeWriter w, ModelSpec spec, PackedDense dense, string first, int chunks, bool loop)
    {
        string t = spec.ElementType;
        VectorWidth v = dense.Width;
        DenseLayerSpec d = dense.Dense;
        int lanes = v.Lanes;
        int row = dense.OutputChunks * lanes;
        int firstValue = loop ? 0 : int.Parse(first, System.Globalization.CultureInfo.InvariantCulture);
        string At(int offset) => !loop ? (firstValue + offset).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : offset == 0 ? $"(nuint){first}" : $"(nuint)({first} + {offset})";
        int split = DenseSplit(chunks);
        for (int c = 0; c < chunks; c++)
        {
            w.Line($"{v.Type} y{c} = {v.Static}.LoadUnsafe(ref w, {At(c * lanes)});");
            for (int s = 1; s < split; s++) w.Line($"{v.Type} y{c}_{s} = {v.Type}.Zero;");
        }
        w.Line($"ref {t} row = ref {Ref}.Add(ref w, {(loop ? $"{row} + {first}" : (row + firstValue).ToString(System.Globalization.CultureInfo.InvariantCulture))});");
        w.Line("int k = 0;");
        if (split > 1)
        {
            using (w.Block($"for (; k + {split} <= {d.InputSize}; k += {split})"))
            {
                for (int s = 0; s < split; s++)
                {
                    w.Line($"{v.Type} x{s} = {v.Static}.Create({Ref}.Add(ref x, k{(s == 0 ? "" : $" + {s}")}));");
                    for (int c = 0; c < chunks; c++)
                        w.Line($"y{c}{(s == 0 ? "" : $"_{s}")} = {Simd}.MultiplyAdd({v.Static}.LoadUnsafe(ref row, {s * row + c * lanes}), x{s}, y{c}{(s == 0 ? "" : $"_{s}")});");
                }
                w.Line($"row = ref {Ref}.Add(ref row, {split * row});");
            }
        }
        using (w.Block($"for (; k < {d.InputSize}; k++)"))
        {
            w.Line($"{v.Type} xk = {v.Static}.Create({Ref}.Add(ref x, k));");
            for (int c = 0; c < chunks; c++)
                w.Line($"y{c} = {Simd}.MultiplyAdd({v.Static}.LoadUnsafe(ref row, {c * lanes}), xk, y{c});");
            w.Line($"row = ref {Ref}.Add(ref row, {row});");
        }
        for (int c = 0; c < chunks; c++)
        {
            string sum = string.Join(" + ", Enumerable.Range(0, split).Select(s => s == 0 ? $"y{c}" : $"y{c}_{s}"));
            string value = d.Activation is Activation.Tanh or Activation.Sigmoid or Activation.Relu
                ? $"{Activate(spec, d.Activation.ToString())}({sum})"
                : sum;
            if (loop)
            {
                w.Line($"{v.Static}.StoreUnsafe({value}, ref y, {At(c * lanes)});");
            }
            else
            {
                int output = firstValue + c * lanes;
                w.Line(StoreAt(v, value, "y", output, System.Math.Min(lanes, d.OutputSize - output)));
            }
        }
    }
}
