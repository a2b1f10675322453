using System.Collections.Generic;
using RnnGen.Generator.Model;

namespace RnnGen.Generator.Emit;

internal static partial class ModelEmitter
{
    private static void WriteLayer(CodeWriter w, ModelSpec spec, RecurrentLayerSpec layer)
    {
        switch (layer.Cell)
        {
            case CellKind.Lstm: WriteLstm(w, spec, layer); break;
            case CellKind.Gru: WriteGru(w, spec, layer); break;
            default: WriteSimpleRnn(w, spec, layer); break;
        }
    }

    private static List<BiasTerm> Biases(RecurrentLayerSpec layer, int firstRow, bool input = true, bool hidden = true)
    {
        var biases = new List<BiasTerm>();
        if (!layer.Bias) return biases;
        string p = $"Layer{layer.Index}";
        if (input) biases.Add(new BiasTerm(p + "BiasIh", firstRow));
        if (hidden) biases.Add(new BiasTerm(p + "BiasHh", firstRow));
        return biases;
    }

    private static string Banner(RecurrentLayerSpec layer) =>
        $"// ── Layer {layer.Index}: {DescribeLayer(layer)}; tensors {layer.WeightIhName} [{layer.GateRows}, {layer.InputSize}], " +
        $"{layer.WeightHhName} [{layer.GateRows}, {layer.HiddenSize}]" +
        (layer.Bias ? $", {layer.BiasIhName} [{layer.GateRows}], {layer.BiasHhName} [{layer.GateRows}]" : "") + " ──";

    private static void WriteLstm(CodeWriter w, ModelSpec spec, RecurrentLayerSpec layer)
    {
        string t = spec.ElementType;
        int h = layer.HiddenSize;
        string p = $"Layer{layer.Index}";
        w.Line(Banner(layer));
        w.Line("// Gate rows [i, f, g, o] (PyTorch). With W_i* the rows of weight_ih and W_h* those of weight_hh:");
        w.Line("//   i = σ(W_ii x + b_ii + W_hi h + b_hi)      f = σ(W_if x + b_if + W_hf h + b_hf)");
        w.Line("//   g = tanh(W_ig x + b_ig + W_hg h + b_hg)   o = σ(W_io x + b_io + W_ho h + b_ho)");
        w.Line("//   c' = f ⊙ c + i ⊙ g                         h' = o ⊙ tanh(c')");
        w.Line($"/// <summary>One LSTM step of layer {layer.Index}: updates <paramref name=\"h\"/> and <paramref name=\"c\"/> in place.</summary>");
        using (w.Block($"private void {p}({ReadOnlySpan}<{t}> x, {Span}<{t}> h, {Span}<{t}> c, {Span}<{t}> scratch)"))
        {
            w.Line($"{Span}<{t}> gates = scratch.Slice(0, {4 * h});");
            w.Line($"{p}Gates(x, h, gates);");
            w.Line($"{Span}<{t}> i = gates.Slice(0, {h});");
            w.Line($"{Span}<{t}> f = gates.Slice({h}, {h});");
            w.Line($"{Span}<{t}> g = gates.Slice({2 * h}, {h});");
            w.Line($"{Span}<{t}> o = gates.Slice({3 * h}, {h});");
            w.Line($"{Activations}.Sigmoid(gates.Slice(0, {2 * h})); // i, f");
            w.Line($"{Activations}.Tanh(g);");
            w.Line($"{Activations}.Sigmoid(o);");
            w.Line($"{Tensors}.Multiply(f, c, c);                // c = f ⊙ c");
            w.Line($"{Tensors}.MultiplyAdd(i, g, c, c);     // c = i ⊙ g + f ⊙ c");
            w.Line($"{Tensors}.Tanh(c, h);                       // h = tanh(c')");
            w.Line($"{Tensors}.Multiply(o, h, h);                // h = o ⊙ tanh(c')");
        }
        w.Line();
        WriteAffineKernel(w, spec, p + "Gates", $"Pre-activations of all {4 * h} gate rows: W_ih x + b_ih + W_hh h + b_hh.", 4 * h,
            new[] { new MatrixTerm(p + "WeightIh", 0, "x", layer.InputSize), new MatrixTerm(p + "WeightHh", 0, "h", h) },
            Biases(layer, 0));
    }

    private static void WriteGru(CodeWriter w, ModelSpec spec, RecurrentLayerSpec layer)
    {
        string t = spec.ElementType;
        int h = layer.HiddenSize;
        string p = $"Layer{layer.Index}";
        w.Line(Banner(layer));
        w.Line("// Gate rows [r, z, n] (PyTorch):");
        w.Line("//   r = σ(W_ir x + b_ir + W_hr h + b_hr)      z = σ(W_iz x + b_iz + W_hz h + b_hz)");
        if (layer.ResetAfter)
            w.Line("//   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))     (reset after the product: PyTorch, Keras reset_after=True)");
        else
            w.Line("//   n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn)     (reset before the product: Cho et al., ONNX default, Keras reset_after=False)");
        w.Line("//   h' = (1 − z) ⊙ n + z ⊙ h = n + z ⊙ (h − n)");
        w.Line($"/// <summary>One GRU step of layer {layer.Index}: updates <paramref name=\"h\"/> in place.</summary>");
        using (w.Block($"private void {p}({ReadOnlySpan}<{t}> x, {Span}<{t}> h, {Span}<{t}> scratch)"))
        {
            w.Line($"{Span}<{t}> rz = scratch.Slice(0, {2 * h});");
            w.Line($"{Span}<{t}> r = rz.Slice(0, {h});");
            w.Line($"{Span}<{t}> z = rz.Slice({h}, {h});");
            w.Line($"{Span}<{t}> n = scratch.Slice({2 * h}, {h});");
            w.Line($"{Span}<{t}> hn = scratch.Slice({3 * h}, {h});");
            w.Line($"{p}ResetUpdate(x, h, rz);");
            w.Line($"{Activations}.Sigmoid(rz);");
            w.Line($"{p}CandidateInput(x, n);                  // n = W_in x + b_in");
            if (layer.ResetAfter)
            {
                w.Line($"{p}CandidateHidden(h, hn);                // hn = W_hn h + b_hn");
                w.Line($"{Tensors}.MultiplyAdd(r, hn, n, n);  // n = W_in x + b_in + r ⊙ hn");
            }
            else
            {
                w.Line($"{Span}<{t}> rh = scratch.Slice({4 * h}, {h});");
                w.Line($"{Tensors}.Multiply(r, h, rh);             // rh = r ⊙ h");
                w.Line($"{p}CandidateHidden(rh, hn);               // hn = W_hn (r ⊙ h) + b_hn");
                w.Line($"{Tensors}.Add(n, hn, n);                  // n = W_in x + b_in + hn");
            }
            w.Line($"{Activations}.Tanh(n);");
            w.Line($"{Tensors}.Subtract(h, n, h);                  // h = h − n");
            w.Line($"{Tensors}.MultiplyAdd(z, h, n, h);       // h = n + z ⊙ (h − n)");
        }
        w.Line();
        WriteAffineKernel(w, spec, p + "ResetUpdate", $"Pre-activations of r and z (rows 0..{2 * h}): W_ih x + b_ih + W_hh h + b_hh.", 2 * h,
            new[] { new MatrixTerm(p + "WeightIh", 0, "x", layer.InputSize), new MatrixTerm(p + "WeightHh", 0, "h", h) },
            Biases(layer, 0));
        w.Line();
        WriteAffineKernel(w, spec, p + "CandidateInput", $"Input part of n (rows {2 * h}..{3 * h}): W_in x + b_in.", h,
            new[] { new MatrixTerm(p + "WeightIh", 2 * h, "x", layer.InputSize) },
            Biases(layer, 2 * h, hidden: false));
        w.Line();
        string hiddenInput = layer.ResetAfter ? "h" : "rh";
        WriteAffineKernel(w, spec, p + "CandidateHidden", $"Recurrent part of n (rows {2 * h}..{3 * h}): W_hn {hiddenInput} + b_hn.", h,
            new[] { new MatrixTerm(p + "WeightHh", 2 * h, hiddenInput, h) },
            Biases(layer, 2 * h, input: false));
    }

    private static void WriteSimpleRnn(CodeWriter w, ModelSpec spec, RecurrentLayerSpec layer)
    {
        string t = spec.ElementType;
        int h = layer.HiddenSize;
        string p = $"Layer{layer.Index}";
        string act = layer.Activation == Activation.Relu ? "relu" : "tanh";
        w.Line(Banner(layer));
        w.Line($"//   h' = {act}(W_ih x + b_ih + W_hh h + b_hh)");
        w.Line($"/// <summary>One SimpleRNN step of layer {layer.Index}: updates <paramref name=\"h\"/> in place.</summary>");
        using (w.Block($"private void {p}({ReadOnlySpan}<{t}> x, {Span}<{t}> h, {Span}<{t}> scratch)"))
        {
            w.Line($"{Span}<{t}> a = scratch.Slice(0, {h});");
            w.Line($"{p}PreActivation(x, h, a);");
            w.Line($"{Activations}.{(layer.Activation == Activation.Relu ? "Relu" : "Tanh")}(a);");
            w.Line("a.CopyTo(h);");
        }
        w.Line();
        WriteAffineKernel(w, spec, p + "PreActivation", "W_ih x + b_ih + W_hh h + b_hh.", h,
            new[] { new MatrixTerm(p + "WeightIh", 0, "x", layer.InputSize), new MatrixTerm(p + "WeightHh", 0, "h", h) },
            Biases(layer, 0));
    }

    private static void WriteHead(CodeWriter w, ModelSpec spec)
    {
        string t = spec.ElementType;
        int width = 0;
        foreach (DenseLayerSpec d in spec.Head) width = System.Math.Max(width, d.OutputSize);
        w.Line("// ── Head: Dense layers applied to the top layer's h at every step, y = act(W x + b) ──");
        foreach (DenseLayerSpec d in spec.Head)
            w.Line($"//   {d.WeightName} [{d.OutputSize}, {d.InputSize}]{(d.Bias ? $", {d.BiasName} [{d.OutputSize}]" : "")}, activation {d.Activation.ToString().ToLowerInvariant()}");
        w.Line("/// <summary>");
        w.Line("/// Runs the Dense layers from the top hidden state <paramref name=\"x\"/> into <paramref name=\"output\"/>;");
        w.Line("/// when training, <paramref name=\"trace\"/> is the step's record and receives each layer's output.");
        w.Line("/// </summary>");
        using (w.Block($"private void Head({ReadOnlySpan}<{t}> x, {Span}<{t}> output, {Span}<{t}> scratch, {Span}<{t}> trace)"))
        {
            string input = "x";
            foreach (DenseLayerSpec d in spec.Head)
            {
                bool last = d.Index == spec.Head.Count - 1;
                string target = last ? "output" : $"dense{d.Index}";
                if (!last) w.Line($"{Span}<{t}> {target} = scratch.Slice({(d.Index % 2) * width}, {d.OutputSize});");
                w.Line($"Dense{d.Index}({input}, {target});");
                if (d.Activation != Activation.None) w.Line($"{Activations}.{d.Activation}({target});");
                w.Line($"if (!trace.IsEmpty) {target}.CopyTo(trace.Slice(TraceDense{d.Index}, {d.OutputSize}));");
                input = target;
            }
        }
        foreach (DenseLayerSpec d in spec.Head)
        {
            w.Line();
            var biases = new List<BiasTerm>();
            if (d.Bias) biases.Add(new BiasTerm($"Dense{d.Index}Bias", 0));
            WriteAffineKernel(w, spec, $"Dense{d.Index}", $"Dense layer {d.Index}: y = W x{(d.Bias ? " + b" : "")} ({d.OutputSize} × {d.InputSize}).", d.OutputSize,
                new[] { new MatrixTerm($"Dense{d.Index}Weight", 0, "x", d.InputSize) }, biases);
        }
    }
}
