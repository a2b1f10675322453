using System.Collections.Generic;
using RnnGen.Generator.Model;

namespace RnnGen.Generator.Emit;

/// <summary>A product W·x over one input: the weight tensor's offset (plus a row offset), the input's name and width.</summary>
internal readonly record struct MatrixTerm(string Weight, int FirstRow, string Input, int Columns);

/// <summary>A bias vector: the tensor's offset and the first row used.</summary>
internal readonly record struct BiasTerm(string Bias, int FirstRow);

internal static partial class ModelEmitter
{
    /// <summary>
    /// Writes <c>y[r] = Σ biases[r] + Σ_terms W[FirstRow + r, :] · input</c> for <paramref name="rows"/> rows, with every
    /// size a constant. Weights are PyTorch's row-major tensors; four rows are reduced at once with Vector&lt;T&gt;
    /// accumulators along the columns, then summed horizontally, with scalar tails for the last columns and rows.
    /// </summary>
    private static void WriteAffineKernel(CodeWriter w, ModelSpec spec, string name, string summary, int rows,
        IReadOnlyList<MatrixTerm> terms, IReadOnlyList<BiasTerm> biases)
    {
        string t = spec.ElementType;
        var parameters = new List<string>();
        foreach (MatrixTerm term in terms) parameters.Add($"{ReadOnlySpan}<{t}> {term.Input}");
        parameters.Add($"{Span}<{t}> y");

        w.Line($"/// <summary>{Xml(summary)}</summary>");
        w.Line(Kernel);
        using (w.Block($"private void {name}({string.Join(", ", parameters)})"))
        {
            w.Line($"ref {t} p = ref _parameters.Data;");
            foreach (MatrixTerm term in terms)
                w.Line($"ref {t} {term.Input}0 = ref {MemoryMarshal}.GetReference({term.Input});");
            w.Line($"ref {t} y0 = ref {MemoryMarshal}.GetReference(y);");
            w.Line("int row = 0;");
            if (rows >= 4)
            {
                using (w.Block($"for (; row <= {rows} - 4; row += 4)"))
                    WriteRowBlock(w, t, terms, biases, 4);
            }
            if (rows % 4 != 0)
            {
                using (w.Block($"for (; row < {rows}; row++)"))
                    WriteRowBlock(w, t, terms, biases, 1);
            }
        }
    }

    private static void WriteRowBlock(CodeWriter w, string t, IReadOnlyList<MatrixTerm> terms, IReadOnlyList<BiasTerm> biases, int block)
    {
        string vector = $"{Vector}<{t}>";
        for (int r = 0; r < block; r++)
        {
            var initial = new List<string>();
            foreach (BiasTerm bias in biases)
                initial.Add($"{Unsafe}.Add(ref p, {bias.Bias} + {Row(bias.FirstRow, r)})");
            w.Line($"{t} s{r} = {(initial.Count == 0 ? "0" : string.Join(" + ", initial))};");
        }
        foreach (MatrixTerm term in terms)
        {
            string x = term.Input + "0";
            int n = term.Columns;
            w.Line($"// W[{term.FirstRow} + row, 0..{n}) · {term.Input}");
            using (w.Block())
            {
                for (int r = 0; r < block; r++)
                    w.Line($"ref {t} w{r} = ref {Unsafe}.Add(ref p, {term.Weight} + ({Row(term.FirstRow, r)}) * {n});");
                for (int r = 0; r < block; r++)
                    w.Line($"{vector} a{r} = {vector}.Zero;");
                w.Line("int k = 0;");
                using (w.Block($"for (; k <= {n} - {vector}.Count; k += {vector}.Count)"))
                {
                    w.Line($"{vector} v = {Vector}.LoadUnsafe(ref {x}, (nuint)k);");
                    for (int r = 0; r < block; r++)
                        w.Line($"a{r} += {Vector}.LoadUnsafe(ref w{r}, (nuint)k) * v;");
                }
                for (int r = 0; r < block; r++)
                    w.Line($"s{r} += {Vector}.Sum(a{r});");
                using (w.Block($"for (; k < {n}; k++)"))
                {
                    w.Line($"{t} v = {Unsafe}.Add(ref {x}, k);");
                    for (int r = 0; r < block; r++)
                        w.Line($"s{r} += {Unsafe}.Add(ref w{r}, k) * v;");
                }
            }
        }
        for (int r = 0; r < block; r++)
            w.Line($"{Unsafe}.Add(ref y0, {Row(0, r)}) = s{r};");
    }

    private static string Row(int first, int r) =>
        (first, r) switch
        {
            (0, 0) => "row",
            (0, _) => $"row + {r}",
            (_, 0) => $"{first} + row",
            _ => $"{first} + row + {r}",
        };
}
