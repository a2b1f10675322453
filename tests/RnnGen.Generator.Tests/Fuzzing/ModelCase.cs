using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;

namespace RnnGen.Generator.Tests.Fuzzing;

/// <summary>
/// RnnGen's <c>Activation</c> values (that enum is compiled into both RnnGen.dll and the generator, so this project
/// cannot name it unambiguously).
/// </summary>
internal static class FuzzActivation
{
    public const int None = 0, Tanh = 1, Sigmoid = 2, Relu = 3, Softmax = 4;

    public static readonly string[] Names = ["None", "Tanh", "Sigmoid", "Relu", "Softmax"];

    public static bool IsDefined(int value) => value is >= None and <= Softmax;
}

/// <summary>Which attribute a fuzzed layer is.</summary>
internal enum FuzzLayerKind { Lstm, Gru, SimpleRnn, Dense, Embedding }

/// <summary>
/// One fuzzed layer attribute, as values; <see cref="Render"/> writes it as C#. <c>null</c> means "argument not
/// written" (the attribute's default applies).
/// </summary>
internal sealed record FuzzLayer(
    FuzzLayerKind Kind,
    int Size,
    bool? Bias = null,
    int? Activation = null,
    bool? ResetAfter = null,
    FuzzString? Module = null,
    double? Dropout = null)
{
    public bool IsRecurrent => Kind is FuzzLayerKind.Lstm or FuzzLayerKind.Gru or FuzzLayerKind.SimpleRnn;

    public string Render()
    {
        var args = new List<string> { Int(Size) };
        if (Bias is bool bias) args.Add($"Bias = {(bias ? "true" : "false")}");
        if (Activation is int activation) args.Add($"Activation = {ActivationText(activation)}");
        if (ResetAfter is bool resetAfter) args.Add($"ResetAfter = {(resetAfter ? "true" : "false")}");
        if (Module is { } module) args.Add($"Module = {module.Render()}");
        if (Dropout is double dropout) args.Add($"Dropout = {DoubleText(dropout)}");
        return $"[{Kind}({string.Join(", ", args)})]";
    }

    public static string Int(int value) => value == int.MinValue ? "int.MinValue" : value.ToString(CultureInfo.InvariantCulture);

    public static string ActivationText(int value) =>
        FuzzActivation.IsDefined(value) ? "Activation." + FuzzActivation.Names[value] : $"(Activation)({Int(value)})";

    public static string DoubleText(double value) => value switch
    {
        double.NaN => "double.NaN",
        double.PositiveInfinity => "double.PositiveInfinity",
        double.NegativeInfinity => "double.NegativeInfinity",
        _ => value.ToString("R", CultureInfo.InvariantCulture) + "d",
    };
}

/// <summary>A string attribute argument: a literal (possibly empty) or the <c>null</c> literal.</summary>
internal sealed record FuzzString(string? Value)
{
    public string Render() => Value is null ? "null" : "\"" + Value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") + "\"";
}

/// <summary>A type around the model class: <c>partial class Outer</c>, <c>struct</c>, <c>record</c>, …, possibly generic or not partial.</summary>
internal sealed record FuzzOuter(string Keyword, string Name, bool Partial, bool Generic, bool Static)
{
    public string Open() => $"{(Static ? "static " : "")}{(Partial ? "partial " : "")}{Keyword} {Name}{(Generic ? "<TOuter>" : "")}";
}

/// <summary>
/// One model declaration: <c>[RecurrentModel(…)]</c>, the layer attributes in source order, the class with its
/// modifiers, in a namespace and nested in <see cref="Outers"/>.
/// </summary>
internal sealed record FuzzModel(
    string Name,
    string Namespace,
    FuzzOuter[] Outers,
    bool Partial,
    string Modifiers,        // "", "static", "abstract", "sealed", "file" (with the accessibility chosen below; "file" is RNNG0003)
    bool Generic,
    string Keyword,          // "class" or "record"
    int InputSize,
    string? ElementType,     // null (default), "float", "double", "int", "string", "null"
    int? SequenceLength,
    FuzzLayer[] Layers,
    FuzzString? Weights,
    bool? RestState)
{
    /// <summary>The namespace and type path, as the generator's hint name has it (<c>Demo.Outer.Model</c>).</summary>
    public string DisplayName => string.Join(".", new[] { Namespace }.Where(n => n.Length > 0).Concat(Outers.Select(o => o.Name)).Append(ClassName));

    public string ClassName => Name.StartsWith('@') ? Name[1..] : Name;

    public string RenderModelAttribute()
    {
        var args = new List<string> { $"inputSize: {FuzzLayer.Int(InputSize)}" };
        if (ElementType is string type) args.Add($"ElementType = {(type == "null" ? "null" : $"typeof({type})")}");
        if (SequenceLength is int length) args.Add($"SequenceLength = {FuzzLayer.Int(length)}");
        if (Weights is { } weights) args.Add($"Weights = {weights.Render()}");
        if (RestState is bool restState) args.Add($"RestState = {(restState ? "true" : "false")}");
        return $"[RecurrentModel({string.Join(", ", args)})]";
    }

    /// <summary>The model's source file: usings, the namespace, the enclosing types and the attributed class.</summary>
    public string Render()
    {
        var s = new StringBuilder();
        s.AppendLine("using RnnGen;");
        s.AppendLine();
        string indent = "";
        if (Namespace.Length > 0)
        {
            s.AppendLine($"namespace {Namespace}");
            s.AppendLine("{");
            indent = "    ";
        }
        foreach (FuzzOuter outer in Outers)
        {
            s.AppendLine($"{indent}{outer.Open()}");
            s.AppendLine($"{indent}{{");
            indent += "    ";
        }
        s.AppendLine($"{indent}{RenderModelAttribute()}");
        foreach (FuzzLayer layer in Layers) s.AppendLine($"{indent}{layer.Render()}");
        string modifiers = Modifiers switch
        {
            "file" => "file ",
            "" => Outers.Length > 0 ? "private " : "public ",
            var m => (Outers.Length > 0 ? "internal " : "public ") + m + " ",
        };
        if (Outers.Any(o => o.Keyword == "interface") && Modifiers != "file") modifiers = modifiers.Replace("private ", "public ");
        s.AppendLine($"{indent}{modifiers}{(Partial ? "partial " : "")}{Keyword} {Name}{(Generic ? "<T>" : "")};");
        foreach (FuzzOuter _ in Outers)
        {
            indent = indent[4..];
            s.AppendLine($"{indent}}}");
        }
        if (Namespace.Length > 0) s.AppendLine("}");
        return s.ToString();
    }

    // ───────────────────────── The oracle: what RnnGen must report, from docs/diagnostics.md ─────────────────────────

    // \z, not $: a module name must not end in a newline either ("rnn\n" is RNNG0109).
    private static readonly Regex ModulePath = new(@"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*\z", RegexOptions.CultureInvariant);

    /// <summary>The documented limits of RNNG0107: parameter and state values, elements of one weight matrix, of one training buffer.</summary>
    public static readonly BigInteger MaxValues = BigInteger.One << 28, MaxMatrix = 64 * (BigInteger.One << 20), MaxBuffer = int.MaxValue;

    /// <summary>
    /// Public members every model has (README, "The generated API"): a model class of one of these names is RNNG0006.
    /// </summary>
    private static readonly HashSet<string> GeneratedMembers = new(StringComparer.Ordinal)
    {
        "InputSize", "OutputSize", "ParameterCount", "LayerCount", "SequenceLength", "Step", "Forward", "State", "CurrentState",
        "ResetState", "Hidden", "Cell", "HiddenSize", "Parameters", "Parameter", "ParameterLayout", "Architecture",
        "LoadSafetensors", "SaveSafetensors", "ForwardTraining", "Backward", "Gradients", "Gradient", "ZeroGradients",
        "TrainStep", "InitializeParameters",
    };

    /// <summary>Whether RnnGen reports <paramref name="id"/> as an error (RNNG0150 is the one warning the fuzzer can reach).</summary>
    public static bool IsError(string id) => id != "RNNG0150";

    /// <summary>
    /// The RNNG IDs docs/diagnostics.md says this declaration gets; without an error among them the model is valid and
    /// must be generated. Declaration problems (RNNG000x) and configuration problems are all reported; the checks that
    /// need the resolved layers (RNNG0107, then RNNG0006, RNNG0108 and the RNNG0150 warning) only run on a configuration
    /// without other problems, and not after RNNG0107. A valid model with <c>Weights</c> is then bound to its file.
    /// </summary>
    public SortedSet<string> ExpectedIds()
    {
        SortedSet<string> ids = ValidationIds();
        // None of the fuzzed files is passed as AdditionalFiles, so binding a valid model's Weights fails.
        if (!ids.Any(IsError) && Weights is not null) ids.Add("RNNG0201");
        return ids;
    }

    /// <summary>Whether the model passes validation (it gets a spec, and so takes part in choosing hint names), whether or not its weights bind.</summary>
    public bool Validates => !ValidationIds().Any(IsError);

    private SortedSet<string> ValidationIds()
    {
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        if (!Partial) ids.Add("RNNG0001");
        if (Modifiers is "static" or "file" || Generic || Keyword == "record") ids.Add("RNNG0003");
        foreach (FuzzOuter outer in Outers)
        {
            if (!outer.Partial) ids.Add("RNNG0002");
            if (outer.Generic) ids.Add("RNNG0003");
        }

        var config = new SortedSet<string>(StringComparer.Ordinal);
        if (InputSize <= 0) config.Add("RNNG0102");
        if (SequenceLength is <= 0) config.Add("RNNG0102");
        if (ElementType is not (null or "float" or "double")) config.Add("RNNG0103");
        if (Weights is { } w && string.IsNullOrWhiteSpace(w.Value)) config.Add("RNNG0201");
        if (RestState == true && Weights is null) config.Add("RNNG0207");
        var embeddings = Layers.Where(l => l.Kind == FuzzLayerKind.Embedding).ToList();
        if (embeddings.Count > 1 || (embeddings.Count == 1 && Layers[0].Kind != FuzzLayerKind.Embedding)) config.Add("RNNG0110");
        if (!Layers.Any(l => l.IsRecurrent)) config.Add("RNNG0101");
        for (int i = 0; i < Layers.Length; i++)
        {
            FuzzLayer layer = Layers[i];
            if (layer.Size <= 0) config.Add("RNNG0102");
            if (layer.Dropout is double p && !(p >= 0 && p < 1)) config.Add("RNNG0111");
            int? activation = layer.Activation ?? (layer.Kind == FuzzLayerKind.SimpleRnn ? FuzzActivation.Tanh : null);
            if (activation is int a)
            {
                if (!FuzzActivation.IsDefined(a)) config.Add("RNNG0105");
                else if (layer.Kind == FuzzLayerKind.SimpleRnn && a is not (FuzzActivation.Tanh or FuzzActivation.Relu)) config.Add("RNNG0106");
            }
            if (layer.Module is { } module && (module.Value is null || !ModulePath.IsMatch(module.Value))) config.Add("RNNG0109");
            if (layer.Kind == FuzzLayerKind.Dense && Layers.Skip(i + 1).Any(l => l.IsRecurrent)) config.Add("RNNG0104");
        }
        if (config.Count == 0)
        {
            if (ValueCount() > MaxValues || LargestMatrix() > MaxMatrix || LargestTrainingBuffer() > MaxBuffer)
            {
                config.Add("RNNG0107");
            }
            else
            {
                if (GeneratedMembers.Contains(ClassName) || (ClassName == "VocabularySize" && HasEmbedding) || (ClassName == "RestState" && RestState == true))
                    config.Add("RNNG0006");
                var names = TensorNames();
                if (names.Count != names.Distinct(StringComparer.Ordinal).Count()) config.Add("RNNG0108");
                if (Layers.Any(l => l.Kind == FuzzLayerKind.Dense && l.Size == 1 && l.Activation == FuzzActivation.Softmax)) config.Add("RNNG0150");
            }
        }
        ids.UnionWith(config);
        return ids;
    }

    /// <summary>Every tensor name (README, "Tensor names"), in layout order.</summary>
    public List<string> TensorNames()
    {
        var names = new List<string>();
        if (Layers.FirstOrDefault(l => l.Kind == FuzzLayerKind.Embedding) is { } embedding)
            names.Add((embedding.Module?.Value ?? "embedding") + ".weight");
        var perModule = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (FuzzLayer layer in Layers.Where(l => l.IsRecurrent))
        {
            string module = layer.Module?.Value ?? "rnn";
            int n = perModule.TryGetValue(module, out int k) ? k : 0;
            perModule[module] = n + 1;
            names.Add($"{module}.weight_ih_l{n}");
            names.Add($"{module}.weight_hh_l{n}");
            if (layer.Bias != false)
            {
                names.Add($"{module}.bias_ih_l{n}");
                names.Add($"{module}.bias_hh_l{n}");
            }
        }
        var dense = Layers.Where(l => l.Kind == FuzzLayerKind.Dense).ToList();
        for (int i = 0; i < dense.Count; i++)
        {
            string module = dense[i].Module?.Value ?? (dense.Count == 1 ? "head" : $"head.{i}");
            names.Add(module + ".weight");
            if (dense[i].Bias != false) names.Add(module + ".bias");
        }
        return names;
    }

    /// <summary>The elements of the largest weight matrix (a recurrent layer's gates × its wider input, a Dense layer's, the embedding table).</summary>
    public BigInteger LargestMatrix()
    {
        BigInteger largest = 0, input = InputSize;
        foreach (FuzzLayer layer in Layers.Where(l => l.IsRecurrent))
        {
            int gates = layer.Kind switch { FuzzLayerKind.Lstm => 4, FuzzLayerKind.Gru => 3, _ => 1 };
            largest = BigInteger.Max(largest, gates * (BigInteger)layer.Size * BigInteger.Max(input, layer.Size));
            input = layer.Size;
        }
        foreach (FuzzLayer layer in Layers.Where(l => l.Kind == FuzzLayerKind.Dense))
        {
            largest = BigInteger.Max(largest, layer.Size * input);
            input = layer.Size;
        }
        if (Layers.FirstOrDefault(l => l.Kind == FuzzLayerKind.Embedding) is { } embedding)
            largest = BigInteger.Max(largest, (BigInteger)embedding.Size * InputSize);
        return largest;
    }

    /// <summary>
    /// The elements of the largest training buffer: <c>SequenceLength</c> (64 by default) × the values a training step
    /// records (the input, 8 per hidden unit, every Dense output).
    /// </summary>
    public BigInteger LargestTrainingBuffer() =>
        (SequenceLength ?? 64) * ((BigInteger)InputSize
            + Layers.Where(l => l.IsRecurrent).Aggregate(BigInteger.Zero, (sum, l) => sum + 8 * (BigInteger)l.Size)
            + Layers.Where(l => l.Kind == FuzzLayerKind.Dense).Aggregate(BigInteger.Zero, (sum, l) => sum + l.Size));

    /// <summary>Parameter and state values as RNNG0107 counts them, in exact arithmetic.</summary>
    public BigInteger ValueCount()
    {
        BigInteger values = 0;
        BigInteger input = InputSize;
        foreach (FuzzLayer layer in Layers.Where(l => l.IsRecurrent))
        {
            int gates = layer.Kind switch { FuzzLayerKind.Lstm => 4, FuzzLayerKind.Gru => 3, _ => 1 };
            values += gates * (BigInteger)layer.Size * (input + layer.Size + 2) + 2 * (BigInteger)layer.Size;
            input = layer.Size;
        }
        foreach (FuzzLayer layer in Layers.Where(l => l.Kind == FuzzLayerKind.Dense))
        {
            values += (BigInteger)layer.Size * (input + 1);
            input = layer.Size;
        }
        if (Layers.FirstOrDefault(l => l.Kind == FuzzLayerKind.Embedding) is { } embedding)
            values += (BigInteger)embedding.Size * InputSize;
        return values;
    }

    // ───────────────────────── What an accepted model looks like at run time ─────────────────────────

    public bool IsDouble => ElementType == "double";

    public int OutputSize => Layers.LastOrDefault(l => l.Kind == FuzzLayerKind.Dense)?.Size ?? Layers.Last(l => l.IsRecurrent).Size;

    public int[] HiddenSizes => Layers.Where(l => l.IsRecurrent).Select(l => l.Size).ToArray();

    /// <summary>Whether every nonlinearity is bounded (no ReLU anywhere), so outputs of bounded weights stay finite.</summary>
    public bool Bounded => !Layers.Any(l => l.Activation == FuzzActivation.Relu);

    /// <summary>The last Dense layer's activation (<see cref="FuzzActivation"/>), or <c>None</c> without a head.</summary>
    public int LastActivation =>
        Layers.LastOrDefault(l => l.Kind == FuzzLayerKind.Dense) is { } last ? last.Activation ?? FuzzActivation.None : FuzzActivation.None;

    public bool HasEmbedding => Layers.Any(l => l.Kind == FuzzLayerKind.Embedding);

    public int Vocabulary => Layers.First(l => l.Kind == FuzzLayerKind.Embedding).Size;
}

/// <summary>One compilation: several model files (and, sometimes, types in their namespaces that shadow BCL names).</summary>
internal sealed record FuzzCase(FuzzModel[] Models, string[] ShadowingTypes)
{
    /// <summary>
    /// Model i in <c>Model{i}.cs</c>; then, if any, one file that declares the shadowing types in every namespace the
    /// models use (names the generated code must not use unqualified: it is to write <c>global::</c> everywhere).
    /// </summary>
    public string[] Sources()
    {
        var sources = Models.Select(m => m.Render()).ToList();
        if (ShadowingTypes.Length > 0)
        {
            var s = new StringBuilder();
            foreach (string ns in Models.Select(m => m.Namespace).Where(n => n.Length > 0).Distinct())
            {
                s.AppendLine($"namespace {ns}");
                s.AppendLine("{");
                foreach (string type in ShadowingTypes) s.AppendLine($"    internal sealed class {type} {{ }}");
                s.AppendLine("}");
            }
            sources.Add(s.ToString());
        }
        return sources.ToArray();
    }

    public override string ToString() =>
        string.Join("\n", Sources().Select((s, i) => $"// ---- Model{i}.cs{(i < Models.Length ? $" (expected: {Expected(Models[i])})" : " (shadowing types)")}\n{s}"));

    private static string Expected(FuzzModel model)
    {
        var ids = model.ExpectedIds();
        return ids.Count == 0 ? "accepted" : string.Join(", ", ids);
    }
}
