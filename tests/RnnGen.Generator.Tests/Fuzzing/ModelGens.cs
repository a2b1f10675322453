using System.Collections.Generic;
using System.Linq;
using CsCheck;
using RnnGen.Tests.Fuzzing;

namespace RnnGen.Generator.Tests.Fuzzing;

/// <summary>
/// CsCheck generators of model declarations. <c>hostile</c> mixes in invalid values, malformed combinations and odd
/// declarations (for the diagnostics property); without it nearly every model is valid (for compile-and-run), but
/// still with every option, nesting, namespace and element type.
/// </summary>
internal static class ModelGens
{
    private static Gen<T> Pick<T>(params T[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    /// <summary><paramref name="value"/> with probability <paramref name="percent"/>%, else null (argument not written).</summary>
    private static Gen<T?> Sometimes<T>(int percent, Gen<T> value) where T : class =>
        Gen.Int[0, 99].SelectMany(r => r < percent ? value.Select(v => (T?)v) : Gen.Const((T?)null));

    private static Gen<T?> SometimesValue<T>(int percent, Gen<T> value) where T : struct =>
        Gen.Int[0, 99].SelectMany(r => r < percent ? value.Select(v => (T?)v) : Gen.Const((T?)null));

    /// <summary>Sizes 1–17 (every vector tail), and in hostile cases zero, negatives and sizes too large to allocate.</summary>
    public static Gen<int> Size(bool hostile) => hostile
        ? Gen.Frequency(
            (80, (IGen<int>)Gen.Int[1, 17]),
            (8, Pick(0, -1, -17, int.MinValue)),
            (12, Pick(100_000, 65_536, 46_341, 16_385, int.MaxValue)))
        : Gen.Frequency(
            (97, (IGen<int>)Gen.Int[1, 17]),
            (3, Pick(64, 100, 257)));

    /// <summary>A model's input size: like a layer's, and now and then wide (100 000 features, few hidden units).</summary>
    public static Gen<int> InputSize(bool hostile) => hostile
        ? Gen.Frequency((95, (IGen<int>)Size(true)), (5, Gen.Const(int.MaxValue)))
        : Gen.Frequency((95, (IGen<int>)Gen.Int[1, 17]), (5, Pick(100, 4099, 100_000)));

    private static readonly string[] ValidModules = ["encoder", "rnn", "head", "head.0", "a.b_c.1", "lstm2", "embedding", "_x", "Decoder.Cell"];
    private static readonly string?[] InvalidModules = ["", null, "a..b", ".x", "x.", "a b", "a-b", "é", "head.", " rnn", "\nrnn", "rnn\n"];

    private static Gen<FuzzString?> Module(bool hostile) => hostile
        ? Sometimes(30, Gen.Frequency(
            (70, (IGen<string?>)Pick<string?>(ValidModules)),
            (30, Pick(InvalidModules))).Select(v => new FuzzString(v)))
        : Sometimes(15, Pick(ValidModules).Select(v => new FuzzString(v)));

    private static Gen<double?> Dropout(bool hostile) => hostile
        ? SometimesValue(30, Gen.Frequency(
            (70, (IGen<double>)Pick(0d, 0.25, 0.5, 0.999999, double.Epsilon, -0d)),
            (30, Pick(1d, 1.5, -0.1, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e300))))
        : SometimesValue(15, Pick(0d, 0.25, 0.5, 0.9));

    private static Gen<int?> SimpleRnnActivation(bool hostile) => hostile
        ? SometimesValue(60, Gen.Frequency(
            (80, (IGen<int>)Pick(FuzzActivation.Tanh, FuzzActivation.Relu)),
            (20, Pick(FuzzActivation.None, FuzzActivation.Sigmoid, FuzzActivation.Softmax, 99, -1, 5))))
        : SometimesValue(60, Pick(FuzzActivation.Tanh, FuzzActivation.Relu));

    private static Gen<int?> DenseActivation(bool hostile) => hostile
        ? SometimesValue(70, Gen.Frequency(
            (90, (IGen<int>)Gen.Int[0, 4]),
            (10, Pick(99, -1, 5, int.MaxValue))))
        : SometimesValue(70, Gen.Int[0, 4]);

    private static Gen<bool?> OptionalBool(int percent) => SometimesValue(percent, Gen.Bool);

    public static Gen<FuzzLayer> Recurrent(bool hostile) =>
        from kind in Pick(FuzzLayerKind.Lstm, FuzzLayerKind.Gru, FuzzLayerKind.SimpleRnn)
        from size in Size(hostile)
        from bias in OptionalBool(30)
        from activation in SimpleRnnActivation(hostile)
        from resetAfter in OptionalBool(50)
        from module in Module(hostile)
        from dropout in Dropout(hostile)
        select new FuzzLayer(kind, size, bias,
            kind == FuzzLayerKind.SimpleRnn ? activation : null,
            kind == FuzzLayerKind.Gru ? resetAfter : null,
            module, dropout);

    public static Gen<FuzzLayer> Dense(bool hostile) =>
        from size in Size(hostile)
        from bias in OptionalBool(30)
        from activation in DenseActivation(hostile)
        from module in Module(hostile)
        select new FuzzLayer(FuzzLayerKind.Dense, size, bias, activation, null, module, null);

    public static Gen<FuzzLayer> Embedding(bool hostile) =>
        from size in hostile ? Gen.Frequency((95, (IGen<int>)Size(true)), (5, Gen.Const(int.MaxValue))) : Gen.Frequency((90, (IGen<int>)Gen.Int[1, 40]), (10, Pick(1000, 100_000)))
        from module in Module(hostile)
        select new FuzzLayer(FuzzLayerKind.Embedding, size, null, null, null, module, null);

    /// <summary>The layer attributes in source order: [Embedding], 1–3 recurrent layers, 0–3 Dense; hostile stacks also misplace or drop layers.</summary>
    public static Gen<FuzzLayer[]> Layers(bool hostile) =>
        from embedding in Embedding(hostile)
        from embeddingPlace in hostile ? Gen.Frequency((72, (IGen<int>)Gen.Const(0)), (18, Gen.Const(1)), (10, Gen.Int[2, 4])) : Gen.Frequency((80, (IGen<int>)Gen.Const(0)), (20, Gen.Const(1)))
        from recurrentCount in hostile ? Gen.Frequency((5, (IGen<int>)Gen.Const(0)), (95, Gen.Int[1, 3])) : Gen.Int[1, 3]
        from recurrent in Recurrent(hostile).Array[recurrentCount]
        from dense in Dense(hostile).Array[0, 3]
        from misorder in hostile ? Gen.Int[0, 99] : Gen.Const(99)
        from swap in Gen.Int[0, 1000]
        select Arrange(embedding, embeddingPlace, recurrent, dense, misorder < 6, swap);

    private static FuzzLayer[] Arrange(FuzzLayer embedding, int embeddingPlace, FuzzLayer[] recurrent, FuzzLayer[] dense, bool misorder, int swap)
    {
        var layers = new List<FuzzLayer>(recurrent);
        layers.AddRange(dense);
        if (misorder && layers.Count >= 2)
        {
            // A Dense before a recurrent layer (RNNG0104), or recurrent layers in another order.
            int a = swap % layers.Count, b = (swap / 7) % layers.Count;
            (layers[a], layers[b]) = (layers[b], layers[a]);
        }
        switch (embeddingPlace)
        {
            case 1: layers.Insert(0, embedding); break;                                            // valid: first
            case 2: layers.Insert(System.Math.Min(1, layers.Count), embedding); break;             // after the first layer
            case 3: layers.InsertRange(0, [embedding, embedding with { Size = 3 }]); break;         // two
            case 4: layers.Add(embedding); break;                                                  // last
        }
        return layers.ToArray();
    }

    /// <summary>Namespaces, two of them differing only in case (so do their models' hint names).</summary>
    private static readonly string[] Namespaces = ["", "Demo", "demo", "Demo.Models", "Fuzz.Deep.Name.Space", "Demo.System", "Demo.RnnGen", "Ünïcode.Модели"];

    /// <summary>
    /// Class names: plain, differing only in case (one hint name per model must still be unique), unicode, verbatim
    /// keywords, and names of generated members (always, with [Embedding] only, with RestState only) and of others.
    /// </summary>
    private static readonly string[] PlainNames = ["Model", "model", "MODEL", "Net", "Predictor", "M1", "Модель", "Modèle", "__Model"];
    private static readonly string[] OddNames = ["@class", "@event", "State", "Step", "Forward", "Parameters", "Cell", "T", "Values", "InputSize", "VocabularySize", "RestState"];

    private static Gen<string> Name(bool hostile) => hostile
        ? Gen.Frequency((85, (IGen<string>)Pick(PlainNames)), (15, Pick(OddNames)))
        : Pick(PlainNames);

    private static Gen<FuzzOuter> Outer(bool hostile) =>
        from keyword in Pick("class", "struct", "record", "record struct", "interface")
        from partial in hostile ? Gen.Frequency((92, (IGen<bool>)Gen.Const(true)), (8, Gen.Const(false))) : Gen.Const(true)
        from generic in hostile ? Gen.Frequency((94, (IGen<bool>)Gen.Const(false)), (6, Gen.Const(true))) : Gen.Const(false)
        from isStatic in Gen.Frequency((90, (IGen<bool>)Gen.Const(false)), (10, Gen.Const(true)))
        select new FuzzOuter(keyword, "", partial, generic, isStatic && keyword == "class");

    public static Gen<FuzzModel> Model(bool hostile) =>
        from name in Name(hostile)
        from ns in Pick(Namespaces)
        from outerCount in Gen.Frequency((70, (IGen<int>)Gen.Const(0)), (20, Gen.Const(1)), (10, Gen.Const(2)))
        from outers in Outer(hostile).Array[outerCount]
        from partial in hostile ? Gen.Frequency((94, (IGen<bool>)Gen.Const(true)), (6, Gen.Const(false))) : Gen.Const(true)
        from modifiers in hostile
            ? Gen.Frequency((80, (IGen<string>)Gen.Const("")), (20, Pick("sealed", "abstract", "static", "file")))
            : Gen.Frequency((85, (IGen<string>)Gen.Const("")), (15, Pick("sealed", "abstract")))
        from generic in hostile ? Gen.Frequency((96, (IGen<bool>)Gen.Const(false)), (4, Gen.Const(true))) : Gen.Const(false)
        from record in hostile ? Gen.Frequency((96, (IGen<bool>)Gen.Const(false)), (4, Gen.Const(true))) : Gen.Const(false)
        from inputSize in InputSize(hostile)
        from elementType in hostile
            ? Gen.Frequency((40, (IGen<string?>)Gen.Const((string?)null)), (25, Gen.Const((string?)"float")), (27, Gen.Const((string?)"double")), (8, Pick<string?>("int", "string", "null")))
            : Gen.Frequency((45, (IGen<string?>)Gen.Const((string?)null)), (25, Gen.Const((string?)"float")), (30, Gen.Const((string?)"double")))
        from sequenceLength in hostile
            ? SometimesValue(30, Gen.Frequency((70, (IGen<int>)Pick(1, 8, 64, 1000)), (15, Pick(0, -1, int.MinValue)), (15, Pick(2000, 100_000, int.MaxValue))))
            : SometimesValue(20, Pick(1, 8, 64, 1000))
        from layers in Layers(hostile)
        from weights in hostile ? Sometimes(5, Pick<string?>("", "   ", null, "missing.safetensors").Select(v => new FuzzString(v))) : Gen.Const((FuzzString?)null)
        from restState in hostile ? SometimesValue(8, Gen.Bool) : Gen.Const((bool?)null)
        select new FuzzModel(name, ns, outers, partial,
            // 'file' only applies to top-level types, 'static' not to records; a generic class named T would clash with its own type parameter.
            modifiers == "file" && outerCount > 0 ? "" : modifiers == "static" && record ? "sealed" : modifiers,
            generic && name != "T", record ? "record" : "class",
            inputSize, elementType, sequenceLength, layers, weights, restState);

    /// <summary>1–3 models per compilation, in one file each; sometimes types that shadow BCL and RnnGen names beside them.</summary>
    public static Gen<FuzzCase> Case(bool hostile) =>
        from count in Gen.Frequency((60, (IGen<int>)Gen.Const(1)), (30, Gen.Const(2)), (10, Gen.Const(3)))
        from models in Model(hostile).Array[count]
        from shadow in Gen.Int[0, 99]
        from shadowing in Pick(ShadowingTypes).Array[1, 6]
        select new FuzzCase(Unique(models), shadow < 12 ? shadowing.Distinct().ToArray() : []);

    /// <summary>Names the generated code uses; a user type of that name in the model's namespace must not change its meaning.</summary>
    private static readonly string[] ShadowingTypes =
    [
        "Math", "MathF", "Span", "ReadOnlySpan", "Vector", "Unsafe", "MemoryMarshal", "TensorPrimitives", "Activations", "Guard",
        "ParameterInfo", "IRecurrentModel", "ArgumentException", "InvalidDataException", "Stream", "Array", "BitConverter",
        "Exception", "GC", "Random", "Buffer", "Convert", "Encoding", "ArgumentOutOfRangeException", "IReadOnlyList", "ModelArchitecture",
    ];

    /// <summary>Gives each model its own enclosing types and a name that no other model in the same scope has (case variants stay).</summary>
    private static FuzzModel[] Unique(FuzzModel[] models)
    {
        var seen = new HashSet<string>(System.StringComparer.Ordinal);
        var result = new FuzzModel[models.Length];
        for (int i = 0; i < models.Length; i++)
        {
            FuzzModel m = models[i];
            var outers = m.Outers.Select((o, d) => o with { Name = $"Outer{i}{d}" }).ToArray();
            string name = m.Name;
            while (!seen.Add($"{m.Namespace}|{string.Join("|", outers.Select(o => o.Name))}|{name}"))
                name = name.StartsWith('@') ? name[1..] + i : name + i;
            result[i] = m with { Outers = outers, Name = name };
        }
        return result;
    }
}
