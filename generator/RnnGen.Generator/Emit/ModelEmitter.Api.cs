using System.Collections.Generic;
using System.Linq;
using RnnGen.Generator.Model;

namespace RnnGen.Generator.Emit;

internal static partial class ModelEmitter
{
    private static void WriteConstants(CodeWriter w, ModelSpec spec)
    {
        w.Line("/// <summary>Input features per time step.</summary>");
        w.Line($"public const int InputSize = {spec.InputSize};");
        w.Line();
        w.Line("/// <summary>Outputs per time step.</summary>");
        w.Line($"public const int OutputSize = {spec.OutputSize};");
        w.Line();
        w.Line("/// <summary>Number of parameters (weights and biases) in all tensors.</summary>");
        w.Line($"public const int ParameterCount = {ParameterLayout.Count(spec)};");
        w.Line();
        w.Line("/// <summary>Number of recurrent layers.</summary>");
        w.Line($"public const int LayerCount = {spec.Layers.Count};");
        w.Line();
        w.Line("/// <summary>The longest sequence one training step records (<c>SequenceLength</c> of [RecurrentModel]).</summary>");
        w.Line($"public const int SequenceLength = {spec.SequenceLength};");
        w.Line();
        if (spec.Embedding is { } embedding)
        {
            w.Line();
            w.Line("/// <summary>Number of token ids the embedding knows: 0..VocabularySize−1.</summary>");
            w.Line($"public const int VocabularySize = {embedding.Vocabulary};");
        }
        w.Line();
        w.Line("/// <summary>Scratch values one step needs (gate pre-activations, Dense outputs); taken from the stack.</summary>");
        w.Line($"private const int ScratchLength = {PackedModel.WholeCacheLines(ParameterLayout.ScratchLength(spec), spec.IsDouble)};");
    }

    private static void WriteParameterLayout(CodeWriter w, ModelSpec spec, bool compiled)
    {
        IReadOnlyList<Tensor> tensors = ParameterLayout.Of(spec);
        int nameWidth = tensors.Max(t => t.Name.Length);
        int shapeWidth = tensors.Max(t => t.ShapeText.Length);
        w.Line();
        w.Line("// Parameters: PyTorch state_dict names and shapes, each tensor row-major, one after the other.");
        foreach (Tensor t in tensors)
        {
            w.Line($"//   {t.Name.PadRight(nameWidth)}  {t.ShapeText.PadRight(shapeWidth)}  at {t.Offset}");
        }
        foreach (Tensor t in tensors)
            w.Line($"private const int {t.OffsetConstant} = {t.Offset};");
        w.Line();
        using (w.Block("private static readonly global::RnnGen.ParameterInfo[] s_parameterLayout =", ";"))
        {
            foreach (Tensor t in tensors)
                w.Line($"new global::RnnGen.ParameterInfo(\"{t.Name}\", {t.OffsetConstant}, {string.Join(", ", t.Shape)}),");
        }
        w.Line();
        w.Line(compiled
            ? $"private readonly global::RnnGen.AlignedBuffer<{spec.ElementType}> _parameters = CompiledParameters();"
            : $"private readonly global::RnnGen.AlignedBuffer<{spec.ElementType}> _parameters = new(ParameterCount);");
        w.Line("private State _state;");
    }

    private static void WriteStateApi(CodeWriter w, ModelSpec spec)
    {
        string t = spec.ElementType;
        w.Line();
        w.Line("/// <summary>The model's own stream state, used by the overloads without a <c>ref State</c> argument.</summary>");
        w.Line($"public ref State CurrentState => ref {Own(spec)};");
        w.Line();
        w.Line(spec.RestState
            ? "/// <summary>Returns the model's own state to the rest state (the state zero input settles to).</summary>"
            : "/// <summary>Sets every hidden and cell state of the model's own state to zero.</summary>");
        if (spec.RestState)
        {
            w.Line("/// <remarks>With <c>RestState</c>, zero input from this state leaves it unchanged: see <see cref=\"RestState\"/>.</remarks>");
            using (w.Block("public void ResetState()"))
            {
                w.Line("_state = RestState;");
                w.Line("_stateReady = true;");
            }
        }
        else
        {
            w.Line("public void ResetState() => _state = default;");
        }
        w.Line();
        w.Line("/// <summary>The hidden state h of recurrent layer <paramref name=\"layer\"/> in the model's own state (writable, to seed it).</summary>");
        w.Line($"public {Span}<{t}> Hidden(int layer) => {Own(spec)}.Hidden(layer);");
        w.Line();
        w.Line("/// <summary>The cell state c of LSTM layer <paramref name=\"layer\"/> in the model's own state (writable); empty for other cells.</summary>");
        w.Line($"public {Span}<{t}> Cell(int layer) => {Own(spec)}.Cell(layer);");
    }

    private static void WriteStepAndForward(CodeWriter w, ModelSpec spec)
    {
        string t = spec.ElementType;
        w.Line();
        w.Line("/// <summary>Runs one time step from the model's own state and leaves the new state there.</summary>");
        w.Line("/// <param name=\"input\">The step's <see cref=\"InputSize\"/> input values.</param>");
        w.Line("/// <param name=\"output\">Receives the step's <see cref=\"OutputSize\"/> outputs.</param>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">A span has the wrong length.</exception>");
        w.Line($"public void Step({ReadOnlySpan}<{t}> input, {Span}<{t}> output) => Step(ref {Own(spec)}, input, output);");
        w.Line();
        w.Line("/// <summary>Runs one time step of the stream whose state is <paramref name=\"state\"/>, and updates it.</summary>");
        w.Line("/// <param name=\"state\">The stream's state; any number of streams can share this model's weights.</param>");
        w.Line("/// <param name=\"input\">The step's <see cref=\"InputSize\"/> input values.</param>");
        w.Line("/// <param name=\"output\">Receives the step's <see cref=\"OutputSize\"/> outputs.</param>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">A span has the wrong length.</exception>");
        using (w.Block($"public void Step(ref State state, {ReadOnlySpan}<{t}> input, {Span}<{t}> output)"))
        {
            w.Line("global::RnnGen.Guard.Length(input.Length, InputSize, nameof(input), \"InputSize\");");
            w.Line("global::RnnGen.Guard.Length(output.Length, OutputSize, nameof(output), \"OutputSize\");");
            w.Line("StepCore(ref state, input, output, StepScratch());");
        }
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Runs <c>inputs.Length / InputSize</c> steps from the model's own state, continuing where it was and leaving");
        w.Line("/// the final state there, exactly as the same number of <see cref=\"Step(global::System.ReadOnlySpan{" + t + "}, global::System.Span{" + t + "})\"/> calls.");
        w.Line("/// </summary>");
        w.Line("/// <param name=\"inputs\">Row-major <c>[steps, InputSize]</c>.</param>");
        w.Line("/// <param name=\"outputs\">Receives row-major <c>[steps, OutputSize]</c>.</param>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">The lengths do not describe the same number of whole steps.</exception>");
        w.Line($"public void Forward({ReadOnlySpan}<{t}> inputs, {Span}<{t}> outputs) => Forward(ref {Own(spec)}, inputs, outputs);");
        w.Line();
        w.Line("/// <summary>Runs a sequence on the stream whose state is <paramref name=\"state\"/>, and updates it.</summary>");
        w.Line("/// <param name=\"state\">The stream's state.</param>");
        w.Line("/// <param name=\"inputs\">Row-major <c>[steps, InputSize]</c>.</param>");
        w.Line("/// <param name=\"outputs\">Receives row-major <c>[steps, OutputSize]</c>.</param>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">The lengths do not describe the same number of whole steps.</exception>");
        using (w.Block($"public void Forward(ref State state, {ReadOnlySpan}<{t}> inputs, {Span}<{t}> outputs)"))
        {
            w.Line("int steps = global::RnnGen.Guard.Sequence(inputs.Length, InputSize, outputs.Length, OutputSize);");
            using (w.Block($"if ({PackedAvailable})"))
            {
                w.Line($"if (steps > 0) ForwardPacked({MemoryMarshal}.CreateSpan(ref state, 1), inputs, outputs, steps);");
                w.Line("return;");
            }
            w.Line($"{Span}<{t}> scratch = StepScratch();");
            w.Line("for (int step = 0; step < steps; step++)");
            w.Line("    StepCore(ref state, inputs.Slice(step * InputSize, InputSize), outputs.Slice(step * OutputSize, OutputSize), scratch);");
        }
        WriteBatchApi(w, spec);
        if (spec.Embedding is not null) WriteTokenApi(w, spec);
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// One step through every layer: each recurrent layer updates its h (and c) in place, then the head. On the packed");
        w.Line("/// weights where Vector256 is accelerated (AVX2); otherwise with the portable kernels over PyTorch's layout.");
        w.Line("/// </summary>");
        using (w.Block($"private void StepCore(ref State state, {ReadOnlySpan}<{t}> input, {Span}<{t}> output, {Span}<{t}> scratch)"))
        {
            using (w.Block($"if ({PackedAvailable})"))
            {
                w.Line("StepPacked(ref state, input, output, scratch);");
                w.Line("return;");
            }
            string below = "input";
            foreach (RecurrentLayerSpec layer in spec.Layers)
            {
                string cell = layer.HasCellState ? $", state.Layer{layer.Index}Cell" : "";
                w.Line($"Layer{layer.Index}({below}, state.Layer{layer.Index}Hidden{cell}, scratch);");
                below = $"state.Layer{layer.Index}Hidden";
            }
            if (spec.Head.Count > 0) w.Line($"Head({below}, output, scratch, default);");
            else w.Line($"{below}.CopyTo(output);");
        }
    }

    private static void WriteBatchApi(CodeWriter w, ModelSpec spec)
    {
        string t = spec.ElementType;
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Runs one step of each of <c>states.Length</c> independent streams that share these weights (voices of a synthesizer,");
        w.Line("/// sensors of a fleet), updating each stream's state; like <see cref=\"ForwardBatch\"/> with one step.");
        w.Line("/// </summary>");
        w.Line("/// <param name=\"states\">One state per stream.</param>");
        w.Line("/// <param name=\"inputs\">Row-major <c>[streams, InputSize]</c>.</param>");
        w.Line("/// <param name=\"outputs\">Receives row-major <c>[streams, OutputSize]</c>.</param>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">There is no state, or a span's length does not match the streams.</exception>");
        using (w.Block($"public void StepBatch({Span}<State> states, {ReadOnlySpan}<{t}> inputs, {Span}<{t}> outputs)"))
        {
            w.Line("global::RnnGen.Guard.Length(inputs.Length, states.Length * InputSize, nameof(inputs), \"states.Length × InputSize\");");
            w.Line("ForwardBatch(states, inputs, outputs);");
        }
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Runs a sequence on each of <c>states.Length</c> independent streams that share these weights, updating each stream's");
        w.Line("/// state exactly as <see cref=\"Forward(ref State, global::System.ReadOnlySpan{" + t + "}, global::System.Span{" + t + "})\"/> per stream would. The");
        w.Line("/// streams' input projections are computed together, so each weight is read once for several streams.");
        w.Line("/// </summary>");
        w.Line("/// <param name=\"states\">One state per stream.</param>");
        w.Line("/// <param name=\"inputs\">Time-major <c>[steps, streams, InputSize]</c>.</param>");
        w.Line("/// <param name=\"outputs\">Receives time-major <c>[steps, streams, OutputSize]</c>.</param>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">There is no state, or the lengths do not describe whole steps of every stream.</exception>");
        using (w.Block($"public void ForwardBatch({Span}<State> states, {ReadOnlySpan}<{t}> inputs, {Span}<{t}> outputs)"))
        {
            w.Line("int rows = global::RnnGen.Guard.Batch(states.Length, inputs.Length, InputSize, outputs.Length, OutputSize) * states.Length;");
            using (w.Block($"if ({PackedAvailable})"))
            {
                w.Line("if (rows > 0) ForwardPacked(states, inputs, outputs, rows);");
                w.Line("return;");
            }
            w.Line($"{Span}<{t}> scratch = StepScratch();");
            w.Line("for (int row = 0; row < rows; row++)");
            w.Line("    StepCore(ref states[row % states.Length], inputs.Slice(row * InputSize, InputSize), outputs.Slice(row * OutputSize, OutputSize), scratch);");
        }
    }

    private static void WriteTokenApi(CodeWriter w, ModelSpec spec)
    {
        string t = spec.ElementType;
        w.Line();
        w.Line("/// <summary>Runs one step on a token id (its embedding row is the input) from the model's own state.</summary>");
        w.Line("/// <exception cref=\"global::System.ArgumentOutOfRangeException\">The token is not in 0..VocabularySize−1.</exception>");
        w.Line($"public void Step(int token, {Span}<{t}> output) => Step(ref {Own(spec)}, token, output);");
        w.Line();
        w.Line("/// <summary>Runs one step on a token id for the stream whose state is <paramref name=\"state\"/>.</summary>");
        w.Line("/// <exception cref=\"global::System.ArgumentOutOfRangeException\">The token is not in 0..VocabularySize−1.</exception>");
        using (w.Block($"public void Step(ref State state, int token, {Span}<{t}> output)"))
        {
            w.Line("global::RnnGen.Guard.Token(token, VocabularySize, nameof(token));");
            w.Line("global::RnnGen.Guard.Length(output.Length, OutputSize, nameof(output), \"OutputSize\");");
            w.Line("StepCore(ref state, Embed(token), output, StepScratch());");
        }
        w.Line();
        w.Line("/// <summary>Runs one step per token id from the model's own state; outputs row-major <c>[tokens, OutputSize]</c>.</summary>");
        w.Line($"public void Forward({ReadOnlySpan}<int> tokens, {Span}<{t}> outputs) => Forward(ref {Own(spec)}, tokens, outputs);");
        w.Line();
        w.Line("/// <summary>Runs one step per token id on the stream whose state is <paramref name=\"state\"/>.</summary>");
        using (w.Block($"public void Forward(ref State state, {ReadOnlySpan}<int> tokens, {Span}<{t}> outputs)"))
        {
            w.Line("global::RnnGen.Guard.Length(outputs.Length, tokens.Length * OutputSize, nameof(outputs), \"tokens × OutputSize\");");
            w.Line("global::RnnGen.Guard.Tokens(tokens, VocabularySize, nameof(tokens));");
            w.Line($"{Span}<{t}> scratch = StepScratch();");
            w.Line("for (int step = 0; step < tokens.Length; step++)");
            w.Line("    StepCore(ref state, Embed(tokens[step]), outputs.Slice(step * OutputSize, OutputSize), scratch);");
        }
        w.Line();
        w.Line("/// <summary>Row <paramref name=\"token\"/> of the embedding: the input vector for that token.</summary>");
        w.Line($"private {ReadOnlySpan}<{t}> Embed(int token) => _parameters.Span.Slice(EmbeddingWeight + token * InputSize, InputSize);");
    }

    private static void WriteParameterApi(CodeWriter w, ModelSpec spec)
    {
        string t = spec.ElementType;
        IReadOnlyList<Tensor> tensors = ParameterLayout.Of(spec);
        w.Line();
        w.Line("/// <summary>The named tensors in <see cref=\"Parameters\"/> order: PyTorch name, shape, offset.</summary>");
        w.Line("public static global::System.Collections.Generic.IReadOnlyList<global::RnnGen.ParameterInfo> ParameterLayout => s_parameterLayout;");
        w.Line();
        w.Line("/// <summary>All parameters, tensor after tensor in <see cref=\"ParameterLayout\"/> order, each row-major in PyTorch layout. Writable.</summary>");
        w.Line("/// <remarks>Inference and the training forward run on a packed copy, rebuilt at the next such call after this span is taken; call <see cref=\"ParametersChanged\"/> after writing through a span kept across those calls.</remarks>");
        using (w.Block($"public {Span}<{t}> Parameters"))
        {
            using (w.Block("get"))
            {
                w.Line("_packedStale = true;");
                w.Line("return _parameters.Span;");
            }
        }
        w.Line();
        w.Line("/// <summary>The values of the tensor called <paramref name=\"name\"/> (a PyTorch <c>state_dict</c> name), writable.</summary>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">The model has no tensor of that name.</exception>");
        using (w.Block($"public {Span}<{t}> Parameter(string name)"))
        {
            w.Line("(int offset, int length) = Locate(name);");
            w.Line("_packedStale = true;");
            w.Line($"return _parameters.Span.Slice(offset, length);");
        }
        w.Line();
        w.Line("/// <summary>Offset and length of a named tensor in the flat parameter (and gradient) array.</summary>");
        using (w.Block("private static (int Offset, int Length) Locate(string name) => name switch", ";"))
        {
            foreach (Tensor tensor in tensors)
                w.Line($"\"{tensor.Name}\" => ({tensor.OffsetConstant}, {tensor.Length}),");
            w.Line($"_ => throw new global::System.ArgumentException($\"The model has no tensor '{{name}}'. Its tensors are: {string.Join(", ", tensors.Select(x => x.Name))}.\", nameof(name)),");
        }
        w.Line();
        w.Line("/// <summary>Replaces all parameters with those of a safetensors file (F32 or F64, PyTorch names and shapes).</summary>");
        w.Line("/// <exception cref=\"global::System.IO.InvalidDataException\">A tensor is missing, extra, wrongly shaped or typed, or the file is malformed; the model is unchanged.</exception>");
        w.Line(Body(spec, "public void LoadSafetensors(string path)", $"global::RnnGen.ParameterFile.Load<{t}>(path, s_parameterLayout, _parameters.Span);"));
        w.Line();
        w.Line("/// <summary>Replaces all parameters with those read from a safetensors stream; on any error the model is unchanged.</summary>");
        w.Line("/// <exception cref=\"global::System.IO.InvalidDataException\">A tensor is missing, extra, wrongly shaped or typed, or the data is malformed.</exception>");
        w.Line(Body(spec, "public void LoadSafetensors(global::System.IO.Stream stream)", $"global::RnnGen.ParameterFile.Load<{t}>(stream, s_parameterLayout, _parameters.Span);"));
        w.Line();
        w.Line($"/// <summary>Writes all parameters as {(spec.IsDouble ? "F64" : "F32")} safetensors with PyTorch names, through a temporary file renamed over <paramref name=\"path\"/>.</summary>");
        w.Line($"public void SaveSafetensors(string path) => global::RnnGen.ParameterFile.Save<{t}>(path, s_parameterLayout, _parameters.Span);");
        w.Line();
        w.Line($"/// <summary>Writes all parameters as {(spec.IsDouble ? "F64" : "F32")} safetensors with PyTorch names to <paramref name=\"stream\"/>.</summary>");
        w.Line($"public void SaveSafetensors(global::System.IO.Stream stream) => global::RnnGen.ParameterFile.Save<{t}>(stream, s_parameterLayout, _parameters.Span);");
    }

    private static void WriteInterfaceMembers(CodeWriter w, ModelSpec spec)
    {
        string i = $"global::RnnGen.IRecurrentModel<{spec.ElementType}>";
        w.Line();
        w.Line($"int {i}.InputSize => InputSize;");
        w.Line($"int {i}.OutputSize => OutputSize;");
        w.Line($"int {i}.LayerCount => LayerCount;");
        w.Line($"int {i}.SequenceLength => SequenceLength;");
        if (spec.Embedding is not null) w.Line($"int global::RnnGen.ITokenModel<{spec.ElementType}>.VocabularySize => VocabularySize;");
        w.Line($"global::System.Collections.Generic.IReadOnlyList<global::RnnGen.ParameterInfo> {i}.ParameterLayout => s_parameterLayout;");
        w.Line($"global::RnnGen.ModelArchitecture {i}.Architecture => Architecture;");
        w.Line();
        w.Line("/// <summary>The layers as declared: cells, sizes, options and PyTorch module names.</summary>");
        w.Line("public static global::RnnGen.ModelArchitecture Architecture { get; } = new(");
        using (w.Indented())
        {
            string embedding = spec.Embedding is { } e ? $"{e.Vocabulary}, \"{e.Module}\"" : "0, null";
            w.Line($"typeof({spec.ElementType}), InputSize, OutputSize, {embedding},");
            using (w.Block("new global::RnnGen.RecurrentLayerInfo[]", ","))
            {
                foreach (RecurrentLayerSpec l in spec.Layers)
                    w.Line($"new({l.Index}, global::RnnGen.CellType.{l.Cell}, {l.InputSize}, {l.HiddenSize}, {Bool(l.Bias)}, global::RnnGen.Activation.{l.Activation}, {Bool(l.ResetAfter)}, \"{l.Module}\", {l.ModuleLayer}, {l.Dropout.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}),");
            }
            using (w.Block("new global::RnnGen.DenseLayerInfo[]", ");"))
            {
                foreach (DenseLayerSpec d in spec.Head)
                    w.Line($"new({d.Index}, {d.InputSize}, {d.OutputSize}, {Bool(d.Bias)}, global::RnnGen.Activation.{d.Activation}, \"{d.Module}\"),");
            }
        }
        w.Line();
        w.Line("/// <summary>Hidden size of recurrent layer <paramref name=\"layer\"/>.</summary>");
        using (w.Block("public int HiddenSize(int layer) => layer switch", ";"))
        {
            foreach (RecurrentLayerSpec layer in spec.Layers) w.Line($"{layer.Index} => {layer.HiddenSize},");
            w.Line("_ => throw new global::System.ArgumentOutOfRangeException(nameof(layer), layer, $\"The model has {LayerCount} recurrent layer(s).\"),");
        }
    }

    private static string Bool(bool value) => value ? "true" : "false";

    private static void WriteStateType(CodeWriter w, ModelSpec spec)
    {
        string t = spec.ElementType;
        int length = ParameterLayout.StateLength(spec);
        w.Line("/// <summary>");
        w.Line($"/// One stream's recurrent state: {Xml(string.Join("; ", spec.Layers.Select(l => $"layer {l.Index} h[{l.HiddenSize}]" + (l.HasCellState ? $", c[{l.HiddenSize}]" : ""))))}.");
        w.Line("/// A value type: copy it to snapshot a stream, <c>default</c> is the zero state.");
        w.Line("/// </summary>");
        using (w.Block("public struct State"))
        {
            w.Line("/// <summary>Number of values in the state.</summary>");
            w.Line($"public const int Length = {length};");
            w.Line();
            w.Line("private StateValues _values;");
            w.Line();
            w.Line("/// <summary>All values, layer after layer: h, then c for LSTM layers.</summary>");
            w.Line($"{UnscopedRef} public {Span}<{t}> Values => _values;");
            foreach (RecurrentLayerSpec layer in spec.Layers)
            {
                int offset = ParameterLayout.StateOffset(spec, layer.Index);
                w.Line();
                w.Line($"/// <summary>Layer {layer.Index}'s hidden state h ({layer.HiddenSize} values).</summary>");
                w.Line($"{UnscopedRef} public {Span}<{t}> Layer{layer.Index}Hidden => Values.Slice({offset}, {layer.HiddenSize});");
                if (layer.HasCellState)
                {
                    w.Line();
                    w.Line($"/// <summary>Layer {layer.Index}'s cell state c ({layer.HiddenSize} values).</summary>");
                    w.Line($"{UnscopedRef} public {Span}<{t}> Layer{layer.Index}Cell => Values.Slice({offset + layer.HiddenSize}, {layer.HiddenSize});");
                }
            }
            w.Line();
            w.Line("/// <summary>The hidden state h of recurrent layer <paramref name=\"layer\"/>.</summary>");
            using (w.Block($"{UnscopedRef} public {Span}<{t}> Hidden(int layer) => layer switch", ";"))
            {
                foreach (RecurrentLayerSpec layer in spec.Layers) w.Line($"{layer.Index} => Layer{layer.Index}Hidden,");
                w.Line("_ => throw new global::System.ArgumentOutOfRangeException(nameof(layer), layer, $\"The model has {LayerCount} recurrent layer(s).\"),");
            }
            w.Line();
            w.Line("/// <summary>The cell state c of LSTM layer <paramref name=\"layer\"/>; empty for GRU and SimpleRNN layers.</summary>");
            using (w.Block($"{UnscopedRef} public {Span}<{t}> Cell(int layer) => layer switch", ";"))
            {
                foreach (RecurrentLayerSpec layer in spec.Layers)
                    w.Line(layer.HasCellState ? $"{layer.Index} => Layer{layer.Index}Cell," : $"{layer.Index} => {Span}<{t}>.Empty,");
                w.Line("_ => throw new global::System.ArgumentOutOfRangeException(nameof(layer), layer, $\"The model has {LayerCount} recurrent layer(s).\"),");
            }
            w.Line();
            w.Line("/// <summary>Sets every value to zero.</summary>");
            w.Line("public void Reset() => Values.Clear();");
        }
        w.Line();
        w.Line($"[global::System.Runtime.CompilerServices.InlineArray(State.Length)]");
        using (w.Block("private struct StateValues"))
        {
            w.Line($"private {t} _element0;");
        }
    }
}
