using System;
using RnnGen.Generator.Model;

namespace RnnGen.Generator.Emit;

/// <summary>A weight tensor's part in a backward kernel: dW[FirstRow + r, :] += dA[r] · input, and d(input) += W[FirstRow + r, :]ᵀ dA[r].</summary>
internal readonly record struct BackwardTerm(string Weight, int FirstRow, int Columns);

internal static partial class ModelEmitter
{
    private static string MathType(ModelSpec spec) => spec.IsDouble ? "global::System.Math" : "global::System.MathF";

    /// <summary>The layer's input at a step in the record: the model input for layer 0, else the layer below's h_t.</summary>
    private static string LayerInput(ModelSpec spec, RecurrentLayerSpec layer) =>
        layer.Index == 0 ? "TraceInput" : TrainingLayout.OutputOf(spec.Layers[layer.Index - 1]);

    private static void WriteLayerBackward(CodeWriter w, ModelSpec spec, RecurrentLayerSpec layer)
    {
        switch (layer.Cell)
        {
            case CellKind.Lstm: WriteLstmBackward(w, spec, layer); break;
            case CellKind.Gru: WriteGruBackward(w, spec, layer); break;
            default: WriteSimpleRnnBackward(w, spec, layer); break;
        }
    }

    /// <summary>The common opening of a layer's backward method: carried gradients, and the loop over steps from the last.</summary>
    private static IDisposable OpenLayerBackward(CodeWriter w, ModelSpec spec, RecurrentLayerSpec layer, string cellName)
    {
        string t = spec.ElementType;
        int h = layer.HiddenSize;
        w.Line($"/// <summary>BPTT through {cellName} layer {layer.Index}: dL/dh_t from above for every step in, dL/dx_t for every step out (when <c>inputGradient</c>: always for the layers above the first).</summary>");
        var method = w.Block($"private void Layer{layer.Index}Backward(int steps, {ReadOnlySpan}<{t}> above, {Span}<{t}> below, {Span}<{t}> scratch, {Span}<{t}> initialState, bool inputGradient)");
        w.Line($"{Span}<{t}> trace = _training!.Trace.Span;");
        w.Line($"{Span}<{t}> history = _training.History.Span; // each step's pre-activation gradients, for the weight gradients after the loop");
        w.Line($"{Span}<{t}> dh = scratch.Slice(0, {h});          // dL/dh_t flowing back from step t + 1, then dL/dh_(t−1)");
        w.Line("dh.Clear();");
        return method;
    }

    private static void WriteStepLoopHeader(CodeWriter w, ModelSpec spec, RecurrentLayerSpec layer)
    {
        string t = spec.ElementType;
        int h = layer.HiddenSize;
        string k = layer.Index.ToString();
        w.Line($"{ReadOnlySpan}<{t}> record = trace.Slice(step * StepTraceLength, StepTraceLength);");
        if (layer.Cell == CellKind.Gru) w.Line($"{ReadOnlySpan}<{t}> hPrev = record.Slice(Trace{k}HPrev, {h});");
        w.Line($"{ReadOnlySpan}<{t}> up = above.Slice(step * {h}, {h});");
    }

    /// <summary>
    /// A step's pre-activation gradients, written straight into their slot of the history (region
    /// <paramref name="region"/>, <paramref name="rows"/> per step), where the window's weight gradients read them.
    /// </summary>
    private static void WriteHistorySlot(CodeWriter w, ModelSpec spec, string name, int rows, string region, string meaning)
    {
        string t = spec.ElementType;
        w.Line($"{Span}<{t}> {name} = history.Slice({HistoryAt(region, rows)}, {rows}); // {meaning}");
    }

    private static void WriteLstmBackward(CodeWriter w, ModelSpec spec, RecurrentLayerSpec layer)
    {
        string t = spec.ElementType;
        int h = layer.HiddenSize;
        string k = layer.Index.ToString();
        w.Line($"// ── Layer {k} backward (LSTM). With tc = tanh(c_t) and dh = dL/dh_t, dc = dL/dc_t (both from above and from t + 1):");
        w.Line("//   do = dh ⊙ tc            dc += dh ⊙ o ⊙ (1 − tc²)");
        w.Line("//   di = dc ⊙ g    df = dc ⊙ c_(t−1)    dg = dc ⊙ i    dc_(t−1) = dc ⊙ f");
        w.Line("//   pre-activations dA = [di ⊙ i(1−i), df ⊙ f(1−f), dg ⊙ (1−g²), do ⊙ o(1−o)]   (rows [i, f, g, o])");
        w.Line("//   dh_(t−1) = W_hhᵀ dA;  over the window: dW_ih += Σ dA xᵀ   dW_hh += Σ dA h_(t−1)ᵀ   db_ih, db_hh += Σ dA   dx = W_ihᵀ dA");
        using (OpenLayerBackward(w, spec, layer, "LSTM"))
        {
            w.Line($"{Span}<{t}> dc = scratch.Slice({h}, {h});    // dL/dc_t flowing back from step t + 1");
            w.Line("dc.Clear();");
            using (w.Block("for (int step = steps - 1; step >= 0; step--)"))
            {
                WriteStepLoopHeader(w, spec, layer);
                w.Line($"{ReadOnlySpan}<{t}> cPrev = record.Slice(Trace{k}CPrev, {h});");
                w.Line($"{ReadOnlySpan}<{t}> gates = record.Slice(Trace{k}Gates, {4 * h});");
                w.Line($"{ReadOnlySpan}<{t}> tanhC = record.Slice(Trace{k}TanhC, {h});");
                WriteHistorySlot(w, spec, "dA", 4 * h, "0", "gate pre-activation gradients [i, f, g, o]");
                WriteLanewise(w, spec, h, l => new[]
                {
                    $"var i = {l.Load("gates", 0)}; var f = {l.Load("gates", h)}; var g = {l.Load("gates", 2 * h)}; var o = {l.Load("gates", 3 * h)};",
                    $"var tc = {l.Load("tanhC", 0)};",
                    $"var dhj = {l.Load("up", 0)} + {l.Load("dh", 0)};",
                    $"var dcj = {l.Load("dc", 0)} + dhj * o * (one - tc * tc);",
                    l.Store("dA", 0, "dcj * g * i * (one - i)"),
                    l.Store("dA", h, $"dcj * {l.Load("cPrev", 0)} * f * (one - f)"),
                    l.Store("dA", 2 * h, "dcj * i * (one - g * g)"),
                    l.Store("dA", 3 * h, "dhj * tc * o * (one - o)"),
                    l.Store("dc", 0, "dcj * f"),
                });
                w.Line("dh.Clear();");
                WriteTransposedProduct(w, spec, $"Layer{k}WeightHh", 4 * h, h, "dA", "dh");
            }
            WriteBiasSums(w, spec, layer, new BiasSum("Ih", 0, 4 * h, "0", 4 * h), new BiasSum("Hh", 0, 4 * h, "0", 4 * h));
            WriteInputGradients(w, spec, $"Layer{k}WeightIh", 4 * h, layer.InputSize, "0");
            w.Line("// dW_ih += Σ_t dA_t x_tᵀ and dW_hh += Σ_t dA_t h_(t−1)ᵀ, each gradient row read and written once");
            WriteOuterProducts(w, spec, $"Layer{k}WeightIh", 4 * h, layer.InputSize, "0", LayerInput(spec, layer));
            WriteOuterProducts(w, spec, $"Layer{k}WeightHh", 4 * h, h, "0", $"Trace{k}HPrev");
            int offset = ParameterLayout.StateOffset(spec, layer.Index);
            w.Line($"dh.CopyTo(initialState.Slice({offset}, {h}));");
            w.Line($"dc.CopyTo(initialState.Slice({offset + h}, {h}));");
        }
    }

    private static void WriteGruBackward(CodeWriter w, ModelSpec spec, RecurrentLayerSpec layer)
    {
        string t = spec.ElementType;
        int h = layer.HiddenSize;
        string k = layer.Index.ToString();
        string hiddenRegion = $"SequenceLength * {3 * h}";
        w.Line($"// ── Layer {k} backward (GRU, reset {(layer.ResetAfter ? "after" : "before")} the product). With dh = dL/dh_t and the record [r, z, n, hn]:");
        w.Line("//   dn = dh ⊙ (1 − z)    dz = dh ⊙ (h_(t−1) − n)    dh_(t−1) = dh ⊙ z + …    dAn = dn ⊙ (1 − n²)");
        if (layer.ResetAfter)
        {
            w.Line("//   n = tanh(W_in x + b_in + r ⊙ hn), hn = W_hn h_(t−1) + b_hn:   dr = dAn ⊙ hn    dhn = dAn ⊙ r");
            w.Line("//   dA_r = dr ⊙ r(1−r)    dA_z = dz ⊙ z(1−z)");
            w.Line("//   input rows [r, z, n] get [dA_r, dA_z, dAn];   recurrent rows [r, z, n] get [dA_r, dA_z, dhn]");
        }
        else
        {
            w.Line("//   n = tanh(W_in x + b_in + W_hn (r ⊙ h_(t−1)) + b_hn):   d(r⊙h) = W_hnᵀ dAn    dr = d(r⊙h) ⊙ h_(t−1)    dh_(t−1) += d(r⊙h) ⊙ r");
            w.Line("//   dA_r = dr ⊙ r(1−r)    dA_z = dz ⊙ z(1−z)");
            w.Line("//   input rows and biases [r, z, n] get [dA_r, dA_z, dAn];   W_hn gets dAn (r ⊙ h_(t−1))ᵀ");
        }
        w.Line("//   dh_(t−1) += W_hhᵀ dA_h;  over the window: dW_ih += Σ dA_x xᵀ   dx = W_ihᵀ dA_x   dW_hh += Σ dA_h h_(t−1)ᵀ   biases += Σ dA");
        using (OpenLayerBackward(w, spec, layer, "GRU"))
        {
            if (!layer.ResetAfter)
            {
                w.Line($"{Span}<{t}> rh = scratch.Slice({h}, {h});   // r ⊙ h_(t−1)");
                w.Line($"{Span}<{t}> drh = scratch.Slice({2 * h}, {h});  // dL/d(r ⊙ h_(t−1))");
            }
            using (w.Block("for (int step = steps - 1; step >= 0; step--)"))
            {
                WriteStepLoopHeader(w, spec, layer);
                w.Line($"{ReadOnlySpan}<{t}> gates = record.Slice(Trace{k}Gates, {4 * h});");
                WriteHistorySlot(w, spec, "dAx", 3 * h, "0", "input-side pre-activation gradients [r, z, n]");
                WriteHistorySlot(w, spec, "dAh", layer.ResetAfter ? 3 * h : 2 * h, hiddenRegion,
                    layer.ResetAfter ? "recurrent-side pre-activation gradients [r, z, n]" : "recurrent-side pre-activation gradients [r, z] (n's are dAx's, through BackwardCandidate)");
                WriteLanewise(w, spec, h, l =>
                {
                    var body = new System.Collections.Generic.List<string>
                    {
                        $"var r = {l.Load("gates", 0)}; var z = {l.Load("gates", h)}; var n = {l.Load("gates", 2 * h)};",
                        $"var dhj = {l.Load("up", 0)} + {l.Load("dh", 0)};",
                        "var dAn = dhj * (one - z) * (one - n * n);",
                        $"var dAz = dhj * ({l.Load("hPrev", 0)} - n) * z * (one - z);",
                        l.Store("dAx", h, "dAz"),
                        l.Store("dAh", h, "dAz"),
                        l.Store("dAx", 2 * h, "dAn"),
                    };
                    if (layer.ResetAfter)
                    {
                        body.Add($"var dAr = dAn * {l.Load("gates", 3 * h)} * r * (one - r); // dr = dAn ⊙ hn");
                        body.Add(l.Store("dAx", 0, "dAr"));
                        body.Add(l.Store("dAh", 0, "dAr"));
                        body.Add(l.Store("dAh", 2 * h, "dAn * r"));
                    }
                    else
                    {
                        body.Add(l.Store("rh", 0, $"r * {l.Load("hPrev", 0)}"));
                    }
                    body.Add(l.Store("dh", 0, "dhj * z"));
                    return body;
                });
                if (!layer.ResetAfter)
                {
                    w.Line("drh.Clear();");
                    w.Line($"Layer{k}BackwardCandidate(dAx.Slice({2 * h}, {h}), rh, drh);");
                    WriteLanewise(w, spec, h, l => new[]
                    {
                        $"var r = {l.Load("gates", 0)};",
                        $"var drhj = {l.Load("drh", 0)};",
                        $"var dAr = drhj * {l.Load("hPrev", 0)} * r * (one - r);",
                        l.Store("dAx", 0, "dAr"),
                        l.Store("dAh", 0, "dAr"),
                        l.Store("dh", 0, $"{l.Load("dh", 0)} + drhj * r"),
                    });
                }
                WriteTransposedProduct(w, spec, $"Layer{k}WeightHh", layer.ResetAfter ? 3 * h : 2 * h, h, "dAh", "dh");
            }
            if (layer.ResetAfter)
                WriteBiasSums(w, spec, layer, new BiasSum("Ih", 0, 3 * h, "0", 3 * h), new BiasSum("Hh", 0, 3 * h, hiddenRegion, 3 * h));
            else
                WriteBiasSums(w, spec, layer, new BiasSum("Ih", 0, 3 * h, "0", 3 * h), new BiasSum("Hh", 0, 2 * h, hiddenRegion, 2 * h),
                    new BiasSum("Hh", 2 * h, h, $"{2 * h}", 3 * h));
            WriteInputGradients(w, spec, $"Layer{k}WeightIh", 3 * h, layer.InputSize, "0");
            w.Line(layer.ResetAfter
                ? "// dW_ih += Σ_t dA_x,t x_tᵀ and dW_hh += Σ_t dA_h,t h_(t−1)ᵀ, each gradient row read and written once"
                : "// dW_ih += Σ_t dA_x,t x_tᵀ and dW_hh[r, z] += Σ_t dA_h,t h_(t−1)ᵀ, each gradient row read and written once");
            WriteOuterProducts(w, spec, $"Layer{k}WeightIh", 3 * h, layer.InputSize, "0", LayerInput(spec, layer));
            WriteOuterProducts(w, spec, $"Layer{k}WeightHh", layer.ResetAfter ? 3 * h : 2 * h, h, hiddenRegion, $"Trace{k}HPrev");
            w.Line($"dh.CopyTo(initialState.Slice({ParameterLayout.StateOffset(spec, layer.Index)}, {h}));");
        }
        if (!layer.ResetAfter)
        {
            w.Line();
            WriteBackwardKernel(w, spec, $"Layer{k}BackwardCandidate", "dW_hn += dAn (r ⊙ h_(t−1))ᵀ and d(r ⊙ h_(t−1)) += W_hnᵀ dAn (rows n).", h, new BackwardTerm($"Layer{k}WeightHh", 2 * h, h));
        }
    }

    private static void WriteSimpleRnnBackward(CodeWriter w, ModelSpec spec, RecurrentLayerSpec layer)
    {
        int h = layer.HiddenSize;
        string k = layer.Index.ToString();
        bool relu = layer.Activation == Activation.Relu;
        w.Line($"// ── Layer {k} backward (SimpleRNN, {(relu ? "relu" : "tanh")}). With dh = dL/dh_t:");
        w.Line(relu ? "//   dA = dh ⊙ [h_t > 0]" : "//   dA = dh ⊙ (1 − h_t²)");
        w.Line("//   dh_(t−1) = W_hhᵀ dA;  over the window: dW_ih += Σ dA xᵀ   dW_hh += Σ dA h_(t−1)ᵀ   db_ih, db_hh += Σ dA   dx = W_ihᵀ dA");
        using (OpenLayerBackward(w, spec, layer, "SimpleRNN"))
        {
            using (w.Block("for (int step = steps - 1; step >= 0; step--)"))
            {
                WriteStepLoopHeader(w, spec, layer);
                w.Line($"{ReadOnlySpan}<{spec.ElementType}> hNew = record.Slice(Trace{k}H, {h});");
                WriteHistorySlot(w, spec, "dA", h, "0", "pre-activation gradients");
                WriteLanewise(w, spec, h, l => new[]
                {
                    $"var dhj = {l.Load("up", 0)} + {l.Load("dh", 0)};",
                    relu ? l.Store("dA", 0, l.Positive(l.Load("hNew", 0), "dhj"))
                         : $"var hj = {l.Load("hNew", 0)};",
                    relu ? "" : l.Store("dA", 0, "dhj * (one - hj * hj)"),
                });
                w.Line("dh.Clear();");
                WriteTransposedProduct(w, spec, $"Layer{k}WeightHh", h, h, "dA", "dh");
            }
            WriteBiasSums(w, spec, layer, new BiasSum("Ih", 0, h, "0", h), new BiasSum("Hh", 0, h, "0", h));
            WriteInputGradients(w, spec, $"Layer{k}WeightIh", h, layer.InputSize, "0");
            w.Line("// dW_ih += Σ_t dA_t x_tᵀ and dW_hh += Σ_t dA_t h_(t−1)ᵀ, each gradient row read and written once");
            WriteOuterProducts(w, spec, $"Layer{k}WeightIh", h, layer.InputSize, "0", LayerInput(spec, layer));
            WriteOuterProducts(w, spec, $"Layer{k}WeightHh", h, h, "0", $"Trace{k}HPrev");
            w.Line($"dh.CopyTo(initialState.Slice({ParameterLayout.StateOffset(spec, layer.Index)}, {h}));");
        }
    }

    /// <summary>The element access of a lane-wise loop body: a <c>Vector&lt;T&gt;</c> of units from j, or the single unit j.</summary>
    private sealed class Lanewise
    {
        private readonly bool _vector;

        public Lanewise(bool vector) => _vector = vector;

        public string Load(string span, int offset) => _vector ? $"global::RnnGen.Lanes.Load({span}, {At(offset)})" : $"{span}[{At(offset)}]";

        public string Store(string span, int offset, string value) =>
            _vector ? $"global::RnnGen.Lanes.Store({span}, {At(offset)}, {value});" : $"{span}[{At(offset)}] = {value};";

        /// <summary><paramref name="value"/> where <paramref name="x"/> &gt; 0, else 0 (relu's derivative).</summary>
        public string Positive(string x, string value) =>
            _vector ? $"{Vector}.ConditionalSelect({Vector}.GreaterThan({x}, zero), {value}, zero)" : $"{x} > 0 ? {value} : 0";

        private static string At(int offset) => offset == 0 ? "j" : $"{offset} + j";
    }

    /// <summary>
    /// An element-wise loop over <paramref name="count"/> units written twice from one body: whole <c>Vector&lt;T&gt;</c>s
    /// of units first, then the units left over one at a time — the same operations in the same order, so the same bits.
    /// </summary>
    private static void WriteLanewise(CodeWriter w, ModelSpec spec, int count, Func<Lanewise, System.Collections.Generic.IEnumerable<string>> body)
    {
        string t = spec.ElementType;
        string vector = $"{Vector}<{t}>";
        using (w.Block($"for (int j = 0; j <= {count} - {vector}.Count; j += {vector}.Count)"))
            WriteBody(body(new Lanewise(vector: true)), $"{vector}.One", $"{vector}.Zero", vector);
        using (w.Block($"for (int j = {count} - {count} % {vector}.Count; j < {count}; j++)"))
            WriteBody(body(new Lanewise(vector: false)), "1", "0", t);

        void WriteBody(System.Collections.Generic.IEnumerable<string> lines, string one, string zero, string type)
        {
            var text = new System.Collections.Generic.List<string>(lines);
            string all = string.Join("\n", text);
            if (System.Text.RegularExpressions.Regex.IsMatch(all, @"\bone\b")) w.Line($"{type} one = {one};");
            if (System.Text.RegularExpressions.Regex.IsMatch(all, @"\bzero\b")) w.Line($"{type} zero = {zero};");
            foreach (string line in text)
                if (line.Length > 0) w.Line(line);
        }
    }

    /// <summary>A bias's share of the window's gradient: rows [first, first + rows) of <c>Layer{k}Bias{Part}</c> += Σ_t history rows, <paramref name="Stride"/> per step from <paramref name="Region"/>.</summary>
    private readonly record struct BiasSum(string Part, int First, int Rows, string Region, int Stride);

    /// <summary>db += Σ_t dA_t over the window, from the history, for each bias share given.</summary>
    private static void WriteBiasSums(CodeWriter w, ModelSpec spec, RecurrentLayerSpec layer, params BiasSum[] sums)
    {
        if (!layer.Bias) return;
        string t = spec.ElementType;
        string k = layer.Index.ToString();
        w.Line("// db_ih and db_hh += Σ_t dA_t");
        foreach (BiasSum sum in sums)
        {
            string bias = $"Layer{k}Bias{sum.Part}" + (sum.First == 0 ? "" : $" + {sum.First}");
            string length = sum.Rows == sum.Stride ? $"steps * {sum.Stride}" : $"steps * {sum.Stride} - {sum.Stride - sum.Rows}";
            w.Line($"global::RnnGen.BackwardKernels.AddStepSums(Gradients.Slice({bias}, {sum.Rows}), {sum.Rows}, history.Slice({sum.Region}, {length}), {sum.Stride}, steps);");
        }
    }

    private static void WriteHeadBackward(CodeWriter w, ModelSpec spec)
    {
        string t = spec.ElementType;
        int width = TrainingLayout.Widest(spec);
        RecurrentLayerSpec top = spec.Layers[spec.Layers.Count - 1];
        w.Line("// ── Head backward, one step. For y = act(a), a = W x + b and dy = dL/dy:");
        w.Line("//   da = dy (none), dy ⊙ (1 − y²) (tanh), dy ⊙ y(1 − y) (sigmoid), dy ⊙ [y > 0] (relu), y ⊙ (dy − Σ dy ⊙ y) (softmax)");
        w.Line("//   dW += da xᵀ   db += da   dx = Wᵀ da");
        w.Line("/// <summary>Backward through the Dense layers at one recorded step: dL/dy in, dL/dh of the top layer out.</summary>");
        using (w.Block($"private void HeadBackward({ReadOnlySpan}<{t}> record, {ReadOnlySpan}<{t}> dy, {Span}<{t}> dTop, {Span}<{t}> scratch)"))
        {
            w.Line($"{Span}<{t}> da = scratch.Slice(0, {width});");
            w.Line($"{Span}<{t}> ping = scratch.Slice({width}, {width});");
            w.Line($"{Span}<{t}> pong = scratch.Slice({2 * width}, {width});");
            string gradient = "dy";
            for (int i = spec.Head.Count - 1; i >= 0; i--)
            {
                DenseLayerSpec d = spec.Head[i];
                int o = d.OutputSize;
                w.Line($"// Dense {i}: {d.Activation.ToString().ToLowerInvariant()}");
                using (w.Block())
                {
                    w.Line($"{ReadOnlySpan}<{t}> y = record.Slice(TraceDense{i}, {o});");
                    w.Line($"{ReadOnlySpan}<{t}> g = {gradient}.Slice(0, {o});");
                    w.Line($"{Span}<{t}> a = da.Slice(0, {o});");
                    switch (d.Activation)
                    {
                        case Activation.Tanh: w.Line($"for (int j = 0; j < {o}; j++) a[j] = g[j] * (1 - y[j] * y[j]);"); break;
                        case Activation.Sigmoid: w.Line($"for (int j = 0; j < {o}; j++) a[j] = g[j] * y[j] * (1 - y[j]);"); break;
                        case Activation.Relu: w.Line($"for (int j = 0; j < {o}; j++) a[j] = y[j] > 0 ? g[j] : 0;"); break;
                        case Activation.Softmax:
                            w.Line($"{t} dot = {Tensors}.Dot(g, y);");
                            w.Line($"for (int j = 0; j < {o}; j++) a[j] = y[j] * (g[j] - dot);");
                            break;
                        default: w.Line("g.CopyTo(a);"); break;
                    }
                    if (d.Bias)
                        w.Line($"{Tensors}.Add(Gradients.Slice(Dense{i}Bias, {o}), a, Gradients.Slice(Dense{i}Bias, {o}));");
                    string input = i == 0 ? $"record.Slice({TrainingLayout.OutputOf(top)}, {top.HiddenSize})" : $"record.Slice(TraceDense{i - 1}, {spec.Head[i - 1].OutputSize})";
                    string target = i == 0 ? "dTop" : (i % 2 == 0 ? "ping" : "pong");
                    w.Line($"{Span}<{t}> dx = {target}.Slice(0, {d.InputSize});");
                    w.Line("dx.Clear();");
                    w.Line($"Dense{i}Backward(a, {input}, dx);");
                    gradient = target;
                }
            }
        }
        foreach (DenseLayerSpec d in spec.Head)
        {
            w.Line();
            WriteBackwardKernel(w, spec, $"Dense{d.Index}Backward", $"Dense layer {d.Index}: dW += da xᵀ and dx += Wᵀ da.", d.OutputSize, new BackwardTerm($"Dense{d.Index}Weight", 0, d.InputSize));
        }
    }


    /// <summary>dh_(t−1) += W_hhᵀ dA for one recorded step: the gradient the next step of the loop (t − 1) starts from.</summary>
    private static void WriteTransposedProduct(CodeWriter w, ModelSpec spec, string weight, int rows, int columns, string dA, string target)
    {
        string t = spec.ElementType;
        w.Line($"global::RnnGen.BackwardKernels.AddTransposedProduct(_parameters.Span.Slice({weight}, {rows * columns}), {rows}, {columns}, {dA}, {target});");
    }

    /// <summary>
    /// dx_t = W_ihᵀ dA_t for every recorded step, after the step loop (nothing in the loop needs it): one product over the
    /// window, so W_ih is read a few times in all instead of once per step between the recurrent products.
    /// </summary>
    private static void WriteInputGradients(CodeWriter w, ModelSpec spec, string weight, int rows, int columns, string region)
    {
        string t = spec.ElementType;
        w.Line("// dx_t = W_ihᵀ dA_t for every step, if anyone reads it");
        using (w.Block("if (inputGradient)"))
        {
            w.Line($"{Span}<{t}> dx = below.Slice(0, steps * {columns});");
            w.Line("dx.Clear();");
            w.Line($"global::RnnGen.BackwardKernels.AddTransposedProducts(_parameters.Span.Slice({weight}, {rows * columns}), {rows}, {columns}, " +
                $"history.Slice({region}, steps * {rows}), dx, steps);");
        }
    }

    /// <summary>Step <c>step</c>'s slot in the history region starting at <paramref name="region"/> (an expression), <paramref name="rows"/> per step.</summary>
    private static string HistoryAt(string region, int rows) => region == "0" ? $"step * {rows}" : $"{region} + step * {rows}";

    /// <summary>dW += Σ_t dA_t inputᵀ over the window: the recorded gradients against a trace slice, once per Backward call.</summary>
    private static void WriteOuterProducts(CodeWriter w, ModelSpec spec, string weight, int rows, int columns, string region, string input)
    {
        string t = spec.ElementType;
        w.Line($"global::RnnGen.BackwardKernels.AddOuterProducts(Gradients.Slice({weight}, {rows * columns}), {rows}, {columns}, " +
            $"history.Slice({region}, steps * {rows}), trace.Slice({input}, trace.Length - {input}), StepTraceLength, steps);");
    }

    /// <summary>
    /// Writes, for each of <paramref name="rows"/> rows r: <c>dW[r, :] += dA[r] · x</c> and <c>dx += dA[r] · W[r, :]</c>, both
    /// vectorized along the row (PyTorch row-major layout, so each row is contiguous).
    /// </summary>
    private static void WriteBackwardKernel(CodeWriter w, ModelSpec spec, string name, string summary, int rows, BackwardTerm term)
    {
        string t = spec.ElementType;
        string vector = $"{Vector}<{t}>";
        int n = term.Columns;
        w.Line($"/// <summary>{Xml(summary)}</summary>");
        w.Line(Kernel);
        using (w.Block($"private void {name}({ReadOnlySpan}<{t}> dA, {ReadOnlySpan}<{t}> x, {Span}<{t}> dx)"))
        {
            w.Line($"ref {t} p = ref _parameters.Data;");
            w.Line($"ref {t} gradient = ref _gradients!.Data;");
            w.Line($"ref {t} x0 = ref {MemoryMarshal}.GetReference(x);");
            w.Line($"ref {t} dx0 = ref {MemoryMarshal}.GetReference(dx);");
            using (w.Block($"for (int row = 0; row < {rows}; row++)"))
            {
                w.Line($"{t} a = dA[row];");
                w.Line($"ref {t} wRow = ref {Unsafe}.Add(ref p, {term.Weight} + ({Row(term.FirstRow, 0)}) * {n});");
                w.Line($"ref {t} gRow = ref {Unsafe}.Add(ref gradient, {term.Weight} + ({Row(term.FirstRow, 0)}) * {n});");
                w.Line($"{vector} av = new {vector}(a);");
                w.Line("int k = 0;");
                using (w.Block($"for (; k <= {n} - {vector}.Count; k += {vector}.Count)"))
                {
                    w.Line($"{Vector}.StoreUnsafe({Vector}.LoadUnsafe(ref gRow, (nuint)k) + av * {Vector}.LoadUnsafe(ref x0, (nuint)k), ref gRow, (nuint)k);");
                    w.Line($"{Vector}.StoreUnsafe({Vector}.LoadUnsafe(ref dx0, (nuint)k) + av * {Vector}.LoadUnsafe(ref wRow, (nuint)k), ref dx0, (nuint)k);");
                }
                using (w.Block($"for (; k < {n}; k++)"))
                {
                    w.Line($"{Unsafe}.Add(ref gRow, k) += a * {Unsafe}.Add(ref x0, k);");
                    w.Line($"{Unsafe}.Add(ref dx0, k) += a * {Unsafe}.Add(ref wRow, k);");
                }
            }
        }
    }
}
