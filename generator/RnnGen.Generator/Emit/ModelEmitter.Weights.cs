using System.Threading;
using RnnGen.Generator.Infrastructure;
using RnnGen.Generator.Model;

namespace RnnGen.Generator.Emit;

internal static partial class ModelEmitter
{
    /// <summary>The expression for the model's own state: the field, or the accessor that starts it at the rest state.</summary>
    private static string Own(ModelSpec spec) => spec.RestState ? "OwnState" : "_state";

    /// <summary>A load method: with a rest state, a successful load also marks it for recomputation with the new weights.</summary>
    /// <summary>A loading method: the load, then the packed weights (and the rest state) marked for rebuilding.</summary>
    private static string Body(ModelSpec spec, string signature, string load) =>
        $"{signature} {{ {load} _packedStale = true;{(spec.RestState ? " _hasRestState = false;" : "")} }}";

    /// <summary>
    /// The weights file's values, packed two bytes per character into one string literal: the little-endian bytes of
    /// each value, where character k holds bytes 2k (low) and 2k + 1 (high). A string constant is one token for the
    /// compiler and lives in the assembly's metadata, so a multi-megabyte file costs the build a fraction of a second
    /// (1.2 M float literals, or a u8 literal, cost Roslyn seconds and a gigabyte); each instance copies it out once.
    /// Characters that are not printable, or that a source file cannot hold, are written as \u escapes.
    /// </summary>
    private static void WriteCompiledParameters(CodeWriter w, ModelSpec spec, EquatableArray<double> values, CancellationToken token)
    {
        string t = spec.ElementType;
        int size = spec.IsDouble ? 8 : 4;
        var bytes = new byte[values.Count * size];
        for (int i = 0; i < values.Count; i++)
        {
            byte[] element = spec.IsDouble ? System.BitConverter.GetBytes(values[i]) : System.BitConverter.GetBytes((float)values[i]);
            if (!System.BitConverter.IsLittleEndian) System.Array.Reverse(element);
            System.Array.Copy(element, 0, bytes, i * size, size);
        }
        token.ThrowIfCancellationRequested();
        var literal = new System.Text.StringBuilder(bytes.Length / 2 + 16);
        for (int i = 0; i < bytes.Length; i += 2)
            AppendPacked(literal, (char)(bytes[i] | (bytes[i + 1] << 8)));
        w.Line();
        w.Line($"/// <summary>");
        w.Line($"/// The values of '{Xml(spec.WeightsFile!)}' ({values.Count} × {t}), checked against the layout above at build time:");
        w.Line($"/// their little-endian bytes, two per character (see <see cref=\"global::RnnGen.CompiledWeights\"/>).");
        w.Line($"/// </summary>");
        w.Line($"private const string CompiledParametersPacked = \"{literal}\";");
        w.Line();
        w.Line("/// <summary>A new copy of the compiled-in parameters.</summary>");
        using (w.Block($"private static global::RnnGen.AlignedBuffer<{t}> CompiledParameters()"))
        {
            w.Line($"var values = new global::RnnGen.AlignedBuffer<{t}>(ParameterCount);");
            w.Line($"global::RnnGen.CompiledWeights.Unpack<{t}>(CompiledParametersPacked, values.Span);");
            w.Line("return values;");
        }
    }

    /// <summary>Appends one packed character, escaped unless it is a printable character a UTF-8 source file holds as is.</summary>
    private static void AppendPacked(System.Text.StringBuilder literal, char c)
    {
        if (c == '"') { literal.Append("\\\""); return; }
        if (c == '\\') { literal.Append("\\\\"); return; }
        switch (char.GetUnicodeCategory(c))
        {
            case System.Globalization.UnicodeCategory.Control:
            case System.Globalization.UnicodeCategory.Format:
            case System.Globalization.UnicodeCategory.Surrogate:
            case System.Globalization.UnicodeCategory.PrivateUse:
            case System.Globalization.UnicodeCategory.OtherNotAssigned:
            case System.Globalization.UnicodeCategory.LineSeparator:
            case System.Globalization.UnicodeCategory.ParagraphSeparator:
            case System.Globalization.UnicodeCategory.SpaceSeparator when c != ' ':
            case System.Globalization.UnicodeCategory.NonSpacingMark:
            case System.Globalization.UnicodeCategory.EnclosingMark:
            case System.Globalization.UnicodeCategory.SpacingCombiningMark:
                literal.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
                return;
            default:
                literal.Append(c);
                return;
        }
    }

    private static void WriteRestState(CodeWriter w, ModelSpec spec)
    {
        string t = spec.ElementType;
        w.Line();
        w.Line("private State _restState;");
        w.Line("private bool _hasRestState;");
        w.Line("private bool _stateReady;");
        w.Line();
        w.Line("/// <summary>The model's own state, started at the rest state on first use.</summary>");
        using (w.Block("private ref State OwnState"))
        {
            using (w.Block("get"))
            {
                w.Line("if (!_stateReady)");
                using (w.Block())
                {
                    w.Line("_state = RestState;");
                    w.Line("_stateReady = true;");
                }
                w.Line("return ref _state;");
            }
        }
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// The state the model settles to under zero input (<c>RestState = true</c>): computed once per set of weights, on first");
        w.Line("/// use, by stepping from zeros until no value moves by more than 1e-7 (at most 100 000 steps). New instances and");
        w.Line("/// <see cref=\"ResetState\"/> start from it; copy it to start a caller-owned <see cref=\"State\"/> there too.");
        w.Line("/// </summary>");
        using (w.Block("public State RestState"))
        {
            using (w.Block("get"))
            {
                w.Line("if (!_hasRestState)");
                using (w.Block())
                {
                    w.Line("State state = default;");
                    w.Line($"{Span}<{t}> input = new {t}[InputSize];");
                    w.Line($"{Span}<{t}> output = new {t}[OutputSize];");
                    w.Line($"{Span}<{t}> scratch = new {t}[StepScratchLength];");
                    using (w.Block("for (int step = 0; step < 100_000; step++)"))
                    {
                        w.Line("State previous = state;");
                        w.Line("StepCore(ref state, input, output, scratch);");
                        w.Line($"{Tensors}.Subtract(previous.Values, state.Values, previous.Values);");
                        w.Line($"if ({MathType(spec)}.Abs({Tensors}.MaxMagnitude(previous.Values)) <= 1e-7) break;");
                    }
                    w.Line("_restState = state;");
                    w.Line("_hasRestState = true;");
                }
                w.Line("return _restState;");
            }
        }
    }
}
