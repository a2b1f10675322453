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
        w.Line($"{t}[] trace = _training!.Trace;");
        w.Line($"{t}[] history = _training.History; // each step's pre-activation gradients, for the weight gradients after the loop");
        w.Line($"{Span}<{t}> dh = scratch.Slice(0, {h});          // dL/dh_t flowing back from step t + 1");
        w.Line($"{Span}<{t}> dhPrev = scratch.Slice({h}, {h});    // dL/dh_(t−1)");
        w.Line("dh.Clear();");
        return method;
    }

    private static void WriteStepLoopHeader(CodeWriter w, ModelSpec spec, RecurrentLayerSpec layer)
    {
        string t = spec.ElementType;
        int h = layer.HiddenSize;
        string k = layer.Index.ToString();
        w.Line($"{ReadOnlySpan}<{t}> record = new {ReadOnlySpan}<{t}>(trace, step * StepTraceLength, StepTraceLength);");
        if (layer.Cell == CellKind.Gru) w.Line($"{ReadOnlySpan}<{t}> hPrev = record.Slice(Trace{k}HPrev, {h});");
        w.Line($"{ReadOnlySpan}<{t}> up = above.Slice(step * {h}, {h});");
    }

    private static void WriteBiasGradients(CodeWriter w, ModelSpec spec, RecurrentLayerSpec layer, string inputPart, string hiddenPart)
    {
        if (!layer.Bias) return;
        string t = spec.ElementType;
        string k = layer.Index.ToString();
        w.Line($"{Tensors}.Add(new {ReadOnlySpan}<{t}>(_gradients, Layer{k}BiasIh, {layer.GateRows}), {inputPart}, new {Span}<{t}>(_gradients, Layer{k}BiasIh, {layer.GateRows}));   // db_ih += dA");
        w.Line($"{Tensors}.Add(new {ReadOnlySpan}<{t}>(_gradients, Layer{k}BiasHh, {layer.GateRows}), {hiddenPart}, new {Span}<{t}>(_gradients, Layer{k}BiasHh, {layer.GateRows}));   // db_hh += dA");
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
        w.Line("//   dW_ih += dA xᵀ   dW_hh += dA h_(t−1)ᵀ   db_ih += dA   db_hh += dA   dx = W_ihᵀ dA   dh_(t−1) = W_hhᵀ dA");
        using (OpenLayerBackward(w, spec, layer, "LSTM"))
        {
            w.Line($"{Span}<{t}> dc = scratch.Slice({2 * h}, {h});    // dL/dc_t flowing back from step t + 1");
            w.Line($"{Span}<{t}> dA = scratch.Slice({3 * h}, {4 * h}); // gate pre-activation gradients [i, f, g, o]");
            w.Line("dc.Clear();");
            using (w.Block("for (int step = steps - 1; step >= 0; step--)"))
            {
                WriteStepLoopHeader(w, spec, layer);
                w.Line($"{ReadOnlySpan}<{t}> cPrev = record.Slice(Trace{k}CPrev, {h});");
                w.Line($"{ReadOnlySpan}<{t}> gates = record.Slice(Trace{k}Gates, {4 * h});");
                w.Line($"{ReadOnlySpan}<{t}> tanhC = record.Slice(Trace{k}TanhC, {h});");
                using (w.Block($"for (int j = 0; j < {h}; j++)"))
                {
                    w.Line($"{t} i = gates[j], f = gates[{h} + j], g = gates[{2 * h} + j], o = gates[{3 * h} + j];");
                    w.Line($"{t} tc = tanhC[j];");
                    w.Line($"{t} dhj = up[j] + dh[j];");
                    w.Line($"{t} dcj = dc[j] + dhj * o * (1 - tc * tc);");
                    w.Line("dA[j] = dcj * g * i * (1 - i);");
                    w.Line($"dA[{h} + j] = dcj * cPrev[j] * f * (1 - f);");
                    w.Line($"dA[{2 * h} + j] = dcj * i * (1 - g * g);");
                    w.Line($"dA[{3 * h} + j] = dhj * tc * o * (1 - o);");
                    w.Line("dc[j] = dcj * f;");
                }
                WriteBiasGradients(w, spec, layer, "dA", "dA");
                WriteRecord(w, spec, "dA", 4 * h, "0");
                w.Line("dhPrev.Clear();");
                WriteTransposedProduct(w, spec, $"Layer{k}WeightHh", 4 * h, h, "dA", "dhPrev");
                w.Line("dhPrev.CopyTo(dh);");
            }
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
        w.Line("//   dW_ih += dA_x xᵀ   dx = W_ihᵀ dA_x   dW_hh += dA_h h_(t−1)ᵀ   dh_(t−1) += W_hhᵀ dA_h");
        using (OpenLayerBackward(w, spec, layer, "GRU"))
        {
            w.Line($"{Span}<{t}> dAx = scratch.Slice({2 * h}, {3 * h});  // input-side pre-activation gradients [r, z, n]");
            w.Line($"{Span}<{t}> dAh = scratch.Slice({5 * h}, {3 * h});  // recurrent-side pre-activation gradients [r, z, n]");
            if (!layer.ResetAfter)
            {
                w.Line($"{Span}<{t}> rh = scratch.Slice({8 * h}, {h});   // r ⊙ h_(t−1)");
                w.Line($"{Span}<{t}> drh = scratch.Slice({9 * h}, {h});  // dL/d(r ⊙ h_(t−1))");
            }
            using (w.Block("for (int step = steps - 1; step >= 0; step--)"))
            {
                WriteStepLoopHeader(w, spec, layer);
                w.Line($"{ReadOnlySpan}<{t}> gates = record.Slice(Trace{k}Gates, {4 * h});");
                using (w.Block($"for (int j = 0; j < {h}; j++)"))
                {
                    w.Line($"{t} r = gates[j], z = gates[{h} + j], n = gates[{2 * h} + j];");
                    w.Line($"{t} dhj = up[j] + dh[j];");
                    w.Line($"{t} dAn = dhj * (1 - z) * (1 - n * n);");
                    w.Line($"{t} dAz = dhj * (hPrev[j] - n) * z * (1 - z);");
                    w.Line($"dAx[{h} + j] = dAz;");
                    w.Line($"dAh[{h} + j] = dAz;");
                    w.Line($"dAx[{2 * h} + j] = dAn;");
                    if (layer.ResetAfter)
                    {
                        w.Line($"{t} dAr = dAn * gates[{3 * h} + j] * r * (1 - r); // dr = dAn ⊙ hn");
                        w.Line("dAx[j] = dAr;");
                        w.Line("dAh[j] = dAr;");
                        w.Line($"dAh[{2 * h} + j] = dAn * r;");
                    }
                    else
                    {
                        w.Line($"dAh[{2 * h} + j] = dAn;");
                        w.Line("rh[j] = r * hPrev[j];");
                    }
                    w.Line("dhPrev[j] = dhj * z;");
                }
                if (!layer.ResetAfter)
                {
                    w.Line("drh.Clear();");
                    w.Line($"Layer{k}BackwardCandidate(dAh.Slice({2 * h}, {h}), rh, drh);");
                    using (w.Block($"for (int j = 0; j < {h}; j++)"))
                    {
                        w.Line($"{t} r = gates[j];");
                        w.Line($"{t} dAr = drh[j] * hPrev[j] * r * (1 - r);");
                        w.Line("dAx[j] = dAr;");
                        w.Line("dAh[j] = dAr;");
                        w.Line("dhPrev[j] += drh[j] * r;");
                    }
                }
                WriteBiasGradients(w, spec, layer, "dAx", "dAh");
                int hiddenRows = layer.ResetAfter ? 3 * h : 2 * h; // reset-before: W_hn's rows went through BackwardCandidate above
                WriteRecord(w, spec, "dAx", 3 * h, "0");
                WriteRecord(w, spec, layer.ResetAfter ? "dAh" : $"dAh.Slice(0, {2 * h})", hiddenRows, $"SequenceLength * {3 * h}");
                WriteTransposedProduct(w, spec, $"Layer{k}WeightHh", hiddenRows, h, layer.ResetAfter ? "dAh" : $"dAh.Slice(0, {2 * h})", "dhPrev");
                w.Line("dhPrev.CopyTo(dh);");
            }
            WriteInputGradients(w, spec, $"Layer{k}WeightIh", 3 * h, layer.InputSize, "0");
            w.Line(layer.ResetAfter
                ? "// dW_ih += Σ_t dA_x,t x_tᵀ and dW_hh += Σ_t dA_h,t h_(t−1)ᵀ, each gradient row read and written once"
                : "// dW_ih += Σ_t dA_x,t x_tᵀ and dW_hh[r, z] += Σ_t dA_h,t h_(t−1)ᵀ, each gradient row read and written once");
            WriteOuterProducts(w, spec, $"Layer{k}WeightIh", 3 * h, layer.InputSize, "0", LayerInput(spec, layer));
            WriteOuterProducts(w, spec, $"Layer{k}WeightHh", layer.ResetAfter ? 3 * h : 2 * h, h, $"SequenceLength * {3 * h}", $"Trace{k}HPrev");
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
        string t = spec.ElementType;
        int h = layer.HiddenSize;
        string k = layer.Index.ToString();
        bool relu = layer.Activation == Activation.Relu;
        w.Line($"// ── Layer {k} backward (SimpleRNN, {(relu ? "relu" : "tanh")}). With dh = dL/dh_t:");
        w.Line(relu ? "//   dA = dh ⊙ [h_t > 0]" : "//   dA = dh ⊙ (1 − h_t²)");
        w.Line("//   dW_ih += dA xᵀ   dW_hh += dA h_(t−1)ᵀ   db_ih += dA   db_hh += dA   dx = W_ihᵀ dA   dh_(t−1) = W_hhᵀ dA");
        using (OpenLayerBackward(w, spec, layer, "SimpleRNN"))
        {
            w.Line($"{Span}<{t}> dA = scratch.Slice({2 * h}, {h});");
            using (w.Block("for (int step = steps - 1; step >= 0; step--)"))
            {
                WriteStepLoopHeader(w, spec, layer);
                w.Line($"{ReadOnlySpan}<{t}> hNew = record.Slice(Trace{k}H, {h});");
                using (w.Block($"for (int j = 0; j < {h}; j++)"))
                {
                    w.Line($"{t} dhj = up[j] + dh[j];");
                    w.Line(relu ? "dA[j] = hNew[j] > 0 ? dhj : 0;" : "dA[j] = dhj * (1 - hNew[j] * hNew[j]);");
                }
                WriteBiasGradients(w, spec, layer, "dA", "dA");
                WriteRecord(w, spec, "dA", h, "0");
                w.Line("dhPrev.Clear();");
                WriteTransposedProduct(w, spec, $"Layer{k}WeightHh", h, h, "dA", "dhPrev");
                w.Line("dhPrev.CopyTo(dh);");
            }
            WriteInputGradients(w, spec, $"Layer{k}WeightIh", h, layer.InputSize, "0");
            w.Line("// dW_ih += Σ_t dA_t x_tᵀ and dW_hh += Σ_t dA_t h_(t−1)ᵀ, each gradient row read and written once");
            WriteOuterProducts(w, spec, $"Layer{k}WeightIh", h, layer.InputSize, "0", LayerInput(spec, layer));
            WriteOuterProducts(w, spec, $"Layer{k}WeightHh", h, h, "0", $"Trace{k}HPrev");
            w.Line($"dh.CopyTo(initialState.Slice({ParameterLayout.StateOffset(spec, layer.Index)}, {h}));");
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
                        w.Line($"{Tensors}.Add(new {ReadOnlySpan}<{t}>(_gradients, Dense{i}Bias, {o}), a, new {Span}<{t}>(_gradients, Dense{i}Bias, {o}));");
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
        w.Line($"global::RnnGen.BackwardKernels.AddTransposedProduct(new {ReadOnlySpan}<{t}>(_parameters, {weight}, {rows * columns}), {rows}, {columns}, {dA}, {target});");
    }

    /// <summary>
    /// dx_t = W_ihᵀ dA_t for every recorded step, after the step loop (nothing in the loop needs it): W_ih then stays in
    /// cache across the steps instead of being read again at every step between the recurrent products.
    /// </summary>
    private static void WriteInputGradients(CodeWriter w, ModelSpec spec, string weight, int rows, int columns, string region)
    {
        string t = spec.ElementType;
        w.Line("// dx_t = W_ihᵀ dA_t for every step, if anyone reads it");
        using (w.Block("if (inputGradient)"))
        using (w.Block("for (int step = 0; step < steps; step++)"))
        {
            w.Line($"{Span}<{t}> dx = below.Slice(step * {columns}, {columns});");
            w.Line("dx.Clear();");
            w.Line($"global::RnnGen.BackwardKernels.AddTransposedProduct(new {ReadOnlySpan}<{t}>(_parameters, {weight}, {rows * columns}), {rows}, {columns}, " +
                $"new {ReadOnlySpan}<{t}>(history, {HistoryAt(region, rows)}, {rows}), dx);");
        }
    }

    /// <summary>Step <c>step</c>'s slot in the history region starting at <paramref name="region"/> (an expression), <paramref name="rows"/> per step.</summary>
    private static string HistoryAt(string region, int rows) => region == "0" ? $"step * {rows}" : $"{region} + step * {rows}";

    /// <summary>Records a step's pre-activation gradients in the history at <paramref name="region"/>, <paramref name="rows"/> per step.</summary>
    private static void WriteRecord(CodeWriter w, ModelSpec spec, string dA, int rows, string region)
    {
        string t = spec.ElementType;
        w.Line($"{dA}.CopyTo(new {Span}<{t}>(history, {HistoryAt(region, rows)}, {rows}));");
    }

    /// <summary>dW += Σ_t dA_t inputᵀ over the window: the recorded gradients against a trace slice, once per Backward call.</summary>
    private static void WriteOuterProducts(CodeWriter w, ModelSpec spec, string weight, int rows, int columns, string region, string input)
    {
        string t = spec.ElementType;
        w.Line($"global::RnnGen.BackwardKernels.AddOuterProducts(new {Span}<{t}>(_gradients, {weight}, {rows * columns}), {rows}, {columns}, " +
            $"new {ReadOnlySpan}<{t}>(history, {region}, steps * {rows}), new {ReadOnlySpan}<{t}>(trace, {input}, trace.Length - {input}), StepTraceLength, steps);");
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
            w.Line($"ref {t} p = ref {MemoryMarshal}.GetArrayDataReference(_parameters);");
            w.Line($"ref {t} gradient = ref {MemoryMarshal}.GetArrayDataReference(_gradients!);");
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
