using System.Threading;
using RnnGen.Generator.Infrastructure;
using RnnGen.Generator.Model;

namespace RnnGen.Generator.Emit;

internal static partial class ModelEmitter
{
    /// <summary>The expression for the model's own state: the field, or the accessor that starts it at the rest state.</summary>
    private static string Own(ModelSpec spec) => spec.RestState ? "OwnState" : "_state";

    /// <summary>A load method: with a rest state, a successful load also marks it for recomputation with the new weights.</summary>
    private static string Body(ModelSpec spec, string signature, string load) =>
        spec.RestState ? $"{signature} {{ {load} _hasRestState = false; }}" : $"{signature} => {load}";

    /// <summary>
    /// The weights file's values, as the little-endian bytes of each <c>T</c> in base64 inside a UTF-8 raw string literal:
    /// the compiler stores a <c>u8</c> literal as data in the assembly image (RVA) and reads it as one token, so a
    /// multi-megabyte file costs the build little (a list of float literals costs Roslyn minutes at that size). Each
    /// instance decodes it into its parameter array once; no file, no I/O.
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
        string base64 = System.Convert.ToBase64String(bytes);
        w.Line();
        w.Line($"/// <summary>The values of '{Xml(spec.WeightsFile!)}' ({values.Count} × {t}, little-endian, base64 in {LineLength}-character lines), checked against the layout above at build time.</summary>");
        w.Line($"private static {ReadOnlySpan}<byte> CompiledParametersBase64 => \"\"\"");
        using (w.Indented())
        {
            for (int start = 0; start < base64.Length; start += LineLength)
                w.Line(base64.Substring(start, System.Math.Min(LineLength, base64.Length - start)));
            w.Line("\"\"\"u8;");
        }
        w.Line();
        w.Line("/// <summary>A new copy of the compiled-in parameters.</summary>");
        using (w.Block($"private static {t}[] CompiledParameters()"))
        {
            w.Line($"var values = new {t}[ParameterCount];");
            w.Line($"global::RnnGen.CompiledWeights.Decode<{t}>(CompiledParametersBase64, values);");
            w.Line("return values;");
        }
    }

    private const int LineLength = 128;

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
                    w.Line($"{Span}<{t}> input = stackalloc {t}[InputSize];");
                    w.Line($"{Span}<{t}> output = stackalloc {t}[OutputSize];");
                    w.Line($"{Span}<{t}> scratch = stackalloc {t}[ScratchLength];");
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
