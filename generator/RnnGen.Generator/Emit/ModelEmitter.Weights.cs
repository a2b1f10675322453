using System.Globalization;
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
    /// The weights file's values as a constant span in parameter order: with C# 12 on .NET 8+ a <c>ReadOnlySpan</c> of
    /// constants is data in the assembly image (RVA), so an instance starts with them by one copy, without I/O or parsing.
    /// </summary>
    private static void WriteCompiledParameters(CodeWriter w, ModelSpec spec, EquatableArray<double> values, CancellationToken token)
    {
        string t = spec.ElementType;
        w.Line();
        w.Line($"/// <summary>The values of '{Xml(spec.WeightsFile!)}', checked against the layout above at build time, compiled into the assembly.</summary>");
        w.Line($"private static {ReadOnlySpan}<{t}> CompiledParameters =>");
        w.Line("[");
        using (w.Indented())
        {
            const int perLine = 8;
            var line = new System.Text.StringBuilder();
            for (int i = 0; i < values.Count; i++)
            {
                if (i % 4096 == 0) token.ThrowIfCancellationRequested();
                line.Append(Literal(values[i], spec.IsDouble)).Append(',');
                if (i % perLine == perLine - 1 || i == values.Count - 1)
                {
                    w.Line(line.ToString());
                    line.Clear();
                }
                else
                {
                    line.Append(' ');
                }
            }
        }
        w.Line("];");
    }

    /// <summary>A float or double literal that round-trips exactly, culture-invariant (G9 / G17), special values by name.</summary>
    internal static string Literal(double value, bool isDouble)
    {
        string type = isDouble ? "double" : "float";
        if (double.IsNaN(value)) return $"{type}.NaN";
        if (double.IsPositiveInfinity(value)) return $"{type}.PositiveInfinity";
        if (double.IsNegativeInfinity(value)) return $"{type}.NegativeInfinity";
        if (value == 0) return (1 / value < 0 ? "-0" : "0") + (isDouble ? "d" : "f");
        return isDouble
            ? value.ToString("G17", CultureInfo.InvariantCulture) + "d"
            : ((float)value).ToString("G9", CultureInfo.InvariantCulture) + "f";
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
