using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using RnnGen.Import;

namespace RnnGen.Numerics.Tests.Fuzzing;

/// <summary>The importers' valid inputs: the reference files of tests/reference/import, and Keras JSON written here for any model.</summary>
internal static class ImporterFiles
{
    private static string Folder([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "reference", "import"));

    /// <summary>(file under tests/reference/import, the model it loads into), as cases.json pairs them.</summary>
    private static readonly (string File, Func<FuzzTarget> Target)[] Reference =
    [
        ("keras/lstm_dense.json", () => new FuzzTarget<float>(new ImportLstm3x5Dense2())),
        ("keras/gru_dense_tanh.json", () => new FuzzTarget<float>(new ImportGru3x4Dense2Tanh())),
        ("keras/gru_rb_dense.json", () => new FuzzTarget<float>(new ImportGruRb3x4Dense2())),
        ("keras/rnn_relu_softmax.json", () => new FuzzTarget<float>(new ImportRnnRelu2x4Softmax3())),
        ("keras/stacked.json", () => new FuzzTarget<float>(new ImportStacked())),
        ("keras/no_bias.json", () => new FuzzTarget<float>(new ImportLstmNoBias())),
        ("keras/rtneural_gru_dense_tanh.json", () => new FuzzTarget<float>(new ImportGru3x4Dense2Tanh())),
        ("onnx/lstm_dense.onnx", () => new FuzzTarget<float>(new ImportLstm3x5Dense2())),
        ("onnx/gru_dense_tanh.onnx", () => new FuzzTarget<float>(new ImportGru3x4Dense2Tanh())),
        ("onnx/gru_rb_dense.onnx", () => new FuzzTarget<float>(new ImportGruRb3x4Dense2())),
        ("onnx/rnn_relu_softmax.onnx", () => new FuzzTarget<float>(new ImportRnnRelu2x4Softmax3())),
        ("onnx/stacked.onnx", () => new FuzzTarget<float>(new ImportStacked())),
        ("onnx/stacked_layout1.onnx", () => new FuzzTarget<float>(new ImportStacked())),
        ("onnx/no_bias.onnx", () => new FuzzTarget<float>(new ImportLstmNoBias())),
        ("onnx/torch_lstm2.onnx", () => new FuzzTarget<float>(new ImportTorchLstm2())),
        ("onnx/torch_gru_tanh.onnx", () => new FuzzTarget<float>(new ImportGru3x4Dense2Tanh())),
    ];

    private static readonly Dictionary<string, byte[]> Cache = new();

    public static byte[] Read(string file)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(file, out byte[]? bytes)) Cache[file] = bytes = File.ReadAllBytes(Path.Combine(Folder(), file));
            return bytes;
        }
    }

    public static (string File, Func<FuzzTarget> Target)[] Keras => Reference.Where(r => r.File.StartsWith("keras/", StringComparison.Ordinal)).ToArray();

    public static (string File, Func<FuzzTarget> Target)[] Onnx => Reference.Where(r => r.File.StartsWith("onnx/", StringComparison.Ordinal)).ToArray();

    /// <summary>
    /// A valid Keras weights file (docs/importing.md's format) for any model: an embedding, LSTM/GRU/SimpleRNN layers
    /// (GRU bias [2, 3·units] with reset_after) and Dense layers, with random weights (zero biases where the model has none).
    /// </summary>
    public static byte[] KerasFor(ModelArchitecture a, int seed)
    {
        var random = new Random(seed);
        JsonArray Vector(int n, bool zero = false) => new(Enumerable.Range(0, n).Select(_ => (JsonNode?)(zero ? 0.0 : Math.Round(random.NextDouble() - 0.5, 6))).ToArray());
        JsonArray Matrix(int rows, int columns) => new(Enumerable.Range(0, rows).Select(_ => (JsonNode?)Vector(columns)).ToArray());
        var layers = new JsonArray();
        if (a.VocabularySize > 0)
            layers.Add(new JsonObject { ["type"] = "embedding", ["weights"] = new JsonArray(Matrix(a.VocabularySize, a.InputSize)) });
        foreach (RecurrentLayerInfo l in a.Layers)
        {
            int g = l.GateRows;
            var weights = new JsonArray(Matrix(l.InputSize, g), Matrix(l.HiddenSize, g));
            if (l.Bias) weights.Add(l.Cell == CellType.Gru && l.ResetAfter ? new JsonArray(Vector(g), Vector(g)) : Vector(g));
            var layer = new JsonObject
            {
                ["type"] = l.Cell switch { CellType.Lstm => "lstm", CellType.Gru => "gru", _ => "simplernn" },
                ["units"] = l.HiddenSize,
                ["activation"] = l.Cell == CellType.SimpleRnn && l.Activation == Activation.Relu ? "relu" : "tanh",
                ["use_bias"] = l.Bias,
                ["weights"] = weights,
            };
            if (l.Cell != CellType.SimpleRnn) layer["recurrent_activation"] = "sigmoid";
            if (l.Cell == CellType.Gru) layer["reset_after"] = l.ResetAfter;
            layers.Add(layer);
        }
        foreach (DenseLayerInfo d in a.Head)
        {
            var weights = new JsonArray(Matrix(d.InputSize, d.OutputSize));
            if (d.Bias) weights.Add(Vector(d.OutputSize));
            layers.Add(new JsonObject
            {
                ["type"] = "dense",
                ["activation"] = d.Activation switch { Activation.None => "linear", var x => x.ToString().ToLowerInvariant() },
                ["weights"] = weights,
            });
        }
        var root = new JsonObject { ["in_shape"] = new JsonArray(null, null, a.VocabularySize > 0 ? null : a.InputSize), ["layers"] = layers };
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }
}

/// <summary>Mutations that know JSON (for Keras files) and the protobuf wire format (for ONNX files).</summary>
internal static class ImporterMutations
{
    // ───────────────────────────── Keras JSON ─────────────────────────────

    /// <summary>Replacements for any JSON value: numbers JSON cannot hold in a double, strings the importer switches on, other kinds.</summary>
    private static readonly string[] JsonLiterals =
    [
        "1e400", "-1e400", "1e-400", "0", "-0", "3", "2.5", "123456789012345678901234567890", "-1", "2147483648",
        "\"lstm\"", "\"gru\"", "\"simplernn\"", "\"dense\"", "\"embedding\"", "\"activation\"", "\"dropout\"", "\"bidirectional\"",
        "\"timedistributed\"", "\"time-distributed-dense\"", "\"unknown\"", "\"LSTM\"", "\"\"", "\"tanh\"", "\"relu\"", "\"sigmoid\"",
        "\"softmax\"", "\"linear\"", "\"hard_sigmoid\"", "\"\\u0130\"", "\"\\ud800\"", "\"\\u0000\"",
        "null", "true", "false", "[]", "{}", "[[]]", "[[1]]", "[null]", "{\"type\": \"lstm\"}",
    ];

    private sealed record Slot(JsonNode? Parent, string? Key, int Index);

    private static List<Slot> Slots(JsonNode? node, List<Slot>? into = null)
    {
        into ??= [];
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o.ToList())
                {
                    into.Add(new Slot(o, key, -1));
                    Slots(child, into);
                }
                break;
            case JsonArray a:
                for (int i = 0; i < a.Count; i++)
                {
                    into.Add(new Slot(a, null, i));
                    Slots(a[i], into);
                }
                break;
        }
        return into;
    }

    private static JsonNode Raw(string literal) => JsonValue.Create("\u0001RAW:" + literal)!;

    private static Mutation KerasJson(string description, Func<JsonNode, List<Slot>, bool> edit) => new(description, file =>
    {
        JsonNode? root = JsonNode.Parse(file, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
        if (root is null) return file;
        List<Slot> slots = Slots(root);
        if (slots.Count == 0 || !edit(root, slots)) return file;
        string text = root.ToJsonString();
        text = System.Text.RegularExpressions.Regex.Replace(text, "\"\\\\u0001RAW:([^\"]*)\"",
            m => System.Text.RegularExpressions.Regex.Unescape(m.Groups[1].Value.Replace("\\u0022", "\"").Replace("\\u005C", "\\\\")));
        return Encoding.UTF8.GetBytes(text);
    });

    private static void Set(Slot s, JsonNode? value)
    {
        if (s.Parent is JsonObject o) o[s.Key!] = value;
        else if (s.Parent is JsonArray a) a[s.Index] = value;
    }

    public static Gen<Mutation> Keras =>
        Gen.Frequency(
            (40, (IGen<Mutation>)(from f in Gen.Double[0, 1] from literal in Mutations.Pick(JsonLiterals)
                select KerasJson($"value at {f:P1} := {literal}", (_, slots) => { Set(slots[(int)(f * slots.Count)], Raw(literal)); return true; }))),
            (15, from f in Gen.Double[0, 1]
                select KerasJson($"remove the value at {f:P1}", (_, slots) =>
                {
                    Slot s = slots[(int)(f * slots.Count)];
                    if (s.Parent is JsonObject o) o.Remove(s.Key!); else ((JsonArray)s.Parent!).RemoveAt(s.Index);
                    return true;
                })),
            (10, from f in Gen.Double[0, 1]
                select KerasJson($"duplicate the array element at {f:P1}", (_, slots) =>
                {
                    var arrays = slots.Where(s => s.Parent is JsonArray).ToList();
                    if (arrays.Count == 0) return false;
                    Slot s = arrays[(int)(f * arrays.Count)];
                    var a = (JsonArray)s.Parent!;
                    a.Insert(s.Index, a[s.Index]?.DeepClone());
                    return true;
                })),
            (8, from f in Gen.Double[0, 1]
                select KerasJson($"wrap the value at {f:P1} in an array", (_, slots) =>
                {
                    Slot s = slots[(int)(f * slots.Count)];
                    JsonNode? v = s.Parent is JsonObject o ? o[s.Key!] : ((JsonArray)s.Parent!)[s.Index];
                    Set(s, new JsonArray(v?.DeepClone()));
                    return true;
                })),
            (8, from layer in Gen.Int[0, 9] from member in Mutations.Pick("type", "activation", "recurrent_activation", "units", "shape", "use_bias", "reset_after", "go_backwards", "weights", "name")
                from literal in Mutations.Pick(JsonLiterals)
                select KerasJson($"layers[{layer}].{member} := {literal}", (root, _) =>
                {
                    if (root["layers"] is not JsonArray layers || layers.Count == 0 || layers[layer % layers.Count] is not JsonObject l) return false;
                    l[member] = Raw(literal);
                    return true;
                })),
            (5, from literal in Mutations.Pick(JsonLiterals)
                select KerasJson($"in_shape := [null, null, {literal}]", (root, _) => { ((JsonObject)root)["in_shape"] = new JsonArray(null, null, Raw(literal)); return true; })),
            (4, from depth in Mutations.Pick(15, 16, 17, 100, 3000)
                select new Mutation($"nesting {depth} deep", file => [.. Encoding.UTF8.GetBytes("{\"x\":" + new string('[', depth) + new string(']', depth) + ","), .. file.AsSpan(1)])),
            (5, from bad in Mutations.Pick<byte[]>([0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0x80])
                from which in Mutations.Pick("\"lstm\"", "\"gru\"", "\"dense\"", "\"tanh\"", "\"linear\"", "\"simplernn\"", "\"type\"", "\"layers\"", "\"sigmoid\"", "\"embedding\"", "\"relu\"", "\"softmax\"")
                select new Mutation($"invalid UTF-8 {Convert.ToHexString(bad)} in {which}", file =>
                {
                    byte[] needle = Encoding.UTF8.GetBytes(which);
                    int at = file.AsSpan().IndexOf(needle);
                    return at < 0 ? file : [.. file[..(at + 2)], .. bad, .. file[(at + 2)..]];
                })),
            (5, from dup in Mutations.Pick("type", "weights", "activation", "layers")
                select new Mutation($"duplicate key \"{dup}\"", file =>
                {
                    string text = Encoding.UTF8.GetString(file);
                    int at = text.IndexOf("\"" + dup + "\":", StringComparison.Ordinal);
                    if (at < 0) at = text.IndexOf("\"" + dup + "\" :", StringComparison.Ordinal);
                    return at < 0 ? file : Encoding.UTF8.GetBytes(text[..at] + "\"" + dup + "\": \"lstm\", " + text[at..]);
                })));

    // ───────────────────────────── ONNX (protobuf) ─────────────────────────────

    /// <summary>A protobuf message as a list of fields; a length-delimited field that parses as a message is kept as one too.</summary>
    internal sealed class ProtoField
    {
        public int Number;
        public int Wire;            // 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32
        public ulong Value;         // varint, fixed64, fixed32
        public byte[] Bytes = [];   // length-delimited
        public List<ProtoField>? Message;

        public ProtoField Clone() => new() { Number = Number, Wire = Wire, Value = Value, Bytes = Bytes, Message = Message?.Select(f => f.Clone()).ToList() };
    }

    internal static List<ProtoField>? Parse(ReadOnlySpan<byte> bytes, int depth = 0)
    {
        var fields = new List<ProtoField>();
        int i = 0;
        while (i < bytes.Length)
        {
            if (!Varint(bytes, ref i, out ulong tag) || tag >> 3 == 0 || tag >> 3 > 536_870_911) return null;
            var f = new ProtoField { Number = (int)(tag >> 3), Wire = (int)(tag & 7) };
            switch (f.Wire)
            {
                case 0: if (!Varint(bytes, ref i, out f.Value)) return null; break;
                case 1: if (i + 8 > bytes.Length) return null; f.Value = BitConverter.ToUInt64(bytes.Slice(i, 8)); i += 8; break;
                case 5: if (i + 4 > bytes.Length) return null; f.Value = BitConverter.ToUInt32(bytes.Slice(i, 4)); i += 4; break;
                case 2:
                    if (!Varint(bytes, ref i, out ulong length) || length > (ulong)(bytes.Length - i)) return null;
                    f.Bytes = bytes.Slice(i, (int)length).ToArray();
                    i += (int)length;
                    if (depth < 12 && f.Bytes.Length > 0) f.Message = Parse(f.Bytes, depth + 1);
                    break;
                default: return null;
            }
            fields.Add(f);
        }
        return fields;
    }

    private static bool Varint(ReadOnlySpan<byte> b, ref int i, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 64 && i < b.Length; shift += 7)
        {
            byte c = b[i++];
            value |= (ulong)(c & 0x7F) << shift;
            if (c < 0x80) return true;
        }
        return false;
    }

    internal static byte[] Write(List<ProtoField> fields)
    {
        var s = new MemoryStream();
        foreach (ProtoField f in fields)
        {
            WriteVarint(s, ((ulong)f.Number << 3) | (uint)f.Wire);
            switch (f.Wire)
            {
                case 0: WriteVarint(s, f.Value); break;
                case 1: s.Write(BitConverter.GetBytes(f.Value)); break;
                case 5: s.Write(BitConverter.GetBytes((uint)f.Value)); break;
                default:
                    byte[] body = f.Message is { } m ? Write(m) : f.Bytes;
                    WriteVarint(s, (ulong)body.Length);
                    s.Write(body);
                    break;
            }
        }
        return s.ToArray();
    }

    private static void WriteVarint(Stream s, ulong v)
    {
        while (v >= 0x80) { s.WriteByte((byte)(v | 0x80)); v >>= 7; }
        s.WriteByte((byte)v);
    }

    private static List<(List<ProtoField> Owner, int Index)> All(List<ProtoField> message, List<(List<ProtoField>, int)>? into = null)
    {
        into ??= [];
        for (int i = 0; i < message.Count; i++)
        {
            into.Add((message, i));
            if (message[i].Message is { } nested) All(nested, into);
        }
        return into;
    }

    /// <summary>Strings the file itself uses (tensor and node names, op types): swapping them rewires the graph, into cycles too.</summary>
    private static List<byte[]> Strings(List<(List<ProtoField> Owner, int Index)> all) =>
        all.Select(x => x.Owner[x.Index]).Where(f => f.Wire == 2 && f.Message is null && f.Bytes.Length is > 0 and < 64 && f.Bytes.All(c => c is >= 0x20 and < 0x7F)).Select(f => f.Bytes).ToList();

    /// <summary>Extreme varints, among them dims that would ask for gigabytes (10^8, 2^28 − 1) if dims sized an allocation.</summary>
    private static readonly ulong[] Varints =
    [
        0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 13, 16, 127, 128, 65_537, int.MaxValue, 1UL << 31, 1UL << 32, (1UL << 32) + 4,
        long.MaxValue, unchecked((ulong)-1L), unchecked((ulong)-2L), unchecked((ulong)(long)int.MinValue), 100_000_000, 268_435_455,
    ];

    private static readonly string[] OnnxStrings =
    [
        "LSTM", "GRU", "RNN", "Identity", "Squeeze", "Unsqueeze", "Reshape", "Transpose", "Flatten", "Dropout", "Gemm", "MatMul", "Add",
        "Tanh", "Sigmoid", "Relu", "Softmax", "Constant", "ConstantOfShape", "Expand", "Shape", "Cast", "Loop", "", "ai.onnx", "com.microsoft",
        "forward", "reverse", "bidirectional", "layout", "axes", "perm", "direction", "hidden_size", "linear_before_reset", "activations", "clip",
    ];

    private static Mutation Proto(string description, Func<List<ProtoField>, bool> edit) => new(description, file =>
    {
        List<ProtoField>? root = Parse(file);
        return root is null || !edit(root) ? file : Write(root);
    });

    public static Gen<Mutation> Onnx => Gen.Frequency((90, (IGen<Mutation>)OnnxEdits), (10, OnnxCycle));

    /// <summary>A node's output renamed to one of its inputs: a one-node cycle.</summary>
    private static Gen<Mutation> OnnxCycle =>
        from f in Gen.Double[0, 1] from slot in Gen.Int[0, 7]
        select Proto($"node at {f:P1}: output := input {slot}", root =>
        {
            var nodes = root.Where(g => g.Number == 7 && g.Message is not null).SelectMany(g => g.Message!).Where(n => n.Number == 1 && n.Message is not null).ToList();
            if (nodes.Count == 0) return false;
            List<ProtoField> node = nodes[(int)(f * nodes.Count)].Message!;
            var inputs = node.Where(x => x.Number == 1 && x.Wire == 2).ToList();
            ProtoField? output = node.FirstOrDefault(x => x.Number == 2 && x.Wire == 2);
            if (inputs.Count == 0 || output is null) return false;
            output.Bytes = inputs[slot % inputs.Count].Bytes;
            return true;
        });

    private static Gen<Mutation> OnnxEdits =>
        Gen.Frequency(
            (30, (IGen<Mutation>)(from f in Gen.Double[0, 1] from v in Mutations.Pick(Varints)
                select Proto($"varint at {f:P1} := {v}", root =>
                {
                    var varints = All(root).Where(x => x.Owner[x.Index].Wire == 0).ToList();
                    if (varints.Count == 0) return false;
                    var (owner, i) = varints[(int)(f * varints.Count)];
                    owner[i].Value = v;
                    return true;
                }))),
            (10, from f in Gen.Double[0, 1] from bits in Mutations.Pick(0x7FC00000u, 0x7F800000u, 0xFF800000u, 0u, 0x3F800000u, 0xBF800000u)
                select Proto($"fixed32 at {f:P1} := 0x{bits:X8}", root =>
                {
                    var floats = All(root).Where(x => x.Owner[x.Index].Wire == 5).ToList();
                    if (floats.Count == 0) return false;
                    var (owner, i) = floats[(int)(f * floats.Count)];
                    owner[i].Value = bits;
                    return true;
                })),
            (20, from f in Gen.Double[0, 1] from g in Gen.Double[0, 1] from literal in Mutations.Pick(OnnxStrings) from fromFile in Gen.Bool
                select Proto($"string at {f:P1} := {(fromFile ? $"the file's string at {g:P1}" : "\"" + literal + "\"")}", root =>
                {
                    var all = All(root);
                    var strings = all.Where(x => x.Owner[x.Index] is { Wire: 2, Message: null } s && s.Bytes.Length < 64).ToList();
                    var own = Strings(all);
                    if (strings.Count == 0) return false;
                    var (owner, i) = strings[(int)(f * strings.Count)];
                    owner[i].Bytes = fromFile && own.Count > 0 ? own[(int)(g * own.Count)] : Encoding.UTF8.GetBytes(literal);
                    return true;
                })),
            (12, from f in Gen.Double[0, 1]
                select Proto($"remove the field at {f:P1}", root =>
                {
                    var all = All(root);
                    var (owner, i) = all[(int)(f * all.Count)];
                    owner.RemoveAt(i);
                    return true;
                })),
            (10, from f in Gen.Double[0, 1]
                select Proto($"duplicate the field at {f:P1}", root =>
                {
                    var all = All(root);
                    var (owner, i) = all[(int)(f * all.Count)];
                    owner.Insert(i, owner[i].Clone());
                    return true;
                })),
            (6, from f in Gen.Double[0, 1] from cut in Gen.Int[-8, 8]
                select Proto($"raw bytes at {f:P1} resized by {cut}", root =>
                {
                    var raws = All(root).Where(x => x.Owner[x.Index] is { Wire: 2 } s && s.Bytes.Length >= 8).ToList();
                    if (raws.Count == 0) return false;
                    var (owner, i) = raws[(int)(f * raws.Count)];
                    ProtoField resized = owner[i];
                    byte[] body = resized.Message is { } m ? Write(m) : resized.Bytes;
                    resized.Message = null;
                    resized.Bytes = cut < 0 ? body[..Math.Max(0, body.Length + cut)] : [.. body, .. new byte[cut]];
                    return true;
                })),
            (6, from f in Gen.Double[0, 1] from wire in Mutations.Pick(0, 1, 2, 3, 4, 5, 6, 7)
                select Proto($"wire type of the field at {f:P1} := {wire}", root =>
                {
                    var all = All(root);
                    var (owner, i) = all[(int)(f * all.Count)];
                    owner[i].Wire = wire;
                    owner[i].Message = null;
                    return true;
                })));
}
