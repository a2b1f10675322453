using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;

namespace RnnGen.Numerics.Tests.Fuzzing;

/// <summary>One change to a file, with a description for the failure report.</summary>
internal sealed record Mutation(string Description, Func<byte[], byte[]> Edit)
{
    /// <summary>The mutated file; the file unchanged when this edit does not apply to it (the mutator's own JSON parse fails).</summary>
    public byte[] Apply(byte[] file)
    {
        try
        {
            return Edit(file);
        }
        catch (Exception)
        {
            return file; // the edit does not fit this file (e.g. its header already has duplicate keys, which JsonObject refuses)
        }
    }

    public override string ToString() => Description;
}

/// <summary>CsCheck generators of mutations: blind byte edits, and edits that know the safetensors layout.</summary>
internal static class Mutations
{
    internal static Gen<T> Pick<T>(params T[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    /// <summary>Bytes that matter to a JSON or binary parser.</summary>
    private static readonly byte[] SpecialBytes = [0x00, 0xFF, 0x80, 0xC0, 0xED, 0xF4, (byte)'"', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)',', (byte)':', (byte)'-', (byte)'9', (byte)'\\', (byte)'e', 0x7F, 0x20];

    /// <summary>A position: <paramref name="fraction"/> of the way into the file (the caller's regions make this biased).</summary>
    private static int At(byte[] b, double fraction) => b.Length == 0 ? 0 : Math.Min(b.Length - 1, (int)(fraction * b.Length));

    /// <summary>A blind byte edit anywhere in the file: bit flip, byte set, insertion, deletion, truncation, junk appended.</summary>
    public static Gen<Mutation> Bytes =>
        Gen.Frequency(
            (30, (IGen<Mutation>)(from f in Gen.Double[0, 1] from bit in Gen.Int[0, 7]
                select new Mutation($"flip bit {bit} at {f:P1}", b => Edit(b, c => { if (c.Length > 0) c[At(c, f)] ^= (byte)(1 << bit); })))),
            (20, from f in Gen.Double[0, 1] from v in Gen.Frequency((60, (IGen<byte>)Pick(SpecialBytes)), (40, Gen.Byte))
                select new Mutation($"set byte at {f:P1} to 0x{v:X2}", b => Edit(b, c => { if (c.Length > 0) c[At(c, f)] = v; }))),
            (12, from f in Gen.Double[0, 1] from ins in Gen.Byte.Array[1, 16]
                select new Mutation($"insert {Convert.ToHexString(ins)} at {f:P1}", b => [.. b[..At(b, f)], .. ins, .. b[At(b, f)..]])),
            (12, from f in Gen.Double[0, 1] from n in Gen.Int[1, 64]
                select new Mutation($"delete {n} bytes at {f:P1}", b => [.. b[..At(b, f)], .. b[Math.Min(b.Length, At(b, f) + n)..]])),
            (16, from f in Gen.Double[0, 1]
                select new Mutation($"truncate to {f:P1}", b => b[..At(b, f)])),
            (5, from junk in Gen.Byte.Array[1, 40]
                select new Mutation($"append {Convert.ToHexString(junk)}", b => [.. b, .. junk])));

    private static byte[] Edit(byte[] b, Action<byte[]> edit)
    {
        byte[] copy = (byte[])b.Clone();
        edit(copy);
        return copy;
    }

    // ───────────────────────────── safetensors ─────────────────────────────

    /// <summary>The header length written in the prefix: small lies, and sizes no file has.</summary>
    private static readonly ulong[] HeaderLengths =
    [
        0, 1, 2, 7, 8, 9, 1 << 20, (1 << 20) + 1, SafetensorsFile.MaxHeaderBytes, SafetensorsFile.MaxHeaderBytes + 1UL,
        int.MaxValue, 1UL << 31, 1UL << 32, (1UL << 32) + 16, long.MaxValue, 1UL << 63, ulong.MaxValue - 7, ulong.MaxValue,
    ];

    /// <summary>Splits a file into its header JSON and data; null when the prefix no longer describes a header inside the file.</summary>
    private static (string Header, byte[] Data)? Split(byte[] file)
    {
        if (file.Length < 8) return null;
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (n > (ulong)(file.Length - 8)) return null;
        return (Encoding.UTF8.GetString(file, 8, (int)n), file[(8 + (int)n)..]);
    }

    private static byte[] Join(string header, byte[] data) => Join(Encoding.UTF8.GetBytes(header), data);

    private static byte[] Join(byte[] header, byte[] data)
    {
        var file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    /// <summary>Edits the header as JSON (a no-op when it no longer parses); raw literals are written as <c>"\u0001RAW:…"</c> strings.</summary>
    private static Mutation Json(string description, Func<JsonObject, byte[], byte[]?> edit) => new(description, file =>
    {
        if (Split(file) is not var (header, data)) return file;
        JsonObject? root;
        try
        {
            root = JsonNode.Parse(header.TrimEnd(' ', '\0')) as JsonObject;
        }
        catch (JsonException)
        {
            return file;
        }
        if (root is null) return file;
        byte[] newData = edit(root, data) ?? data;
        string text = root.ToJsonString();
        // Raw literals (numbers JSON cannot hold as long/double, unquoted tokens) replace their placeholders.
        text = System.Text.RegularExpressions.Regex.Replace(text, "\"\\\\u0001RAW:([^\"]*)\"", m => m.Groups[1].Value.Replace("\\u0022", "\""));
        return Join(text, newData);
    });

    private static JsonNode Raw(string literal) => JsonValue.Create("\u0001RAW:" + literal)!;

    private static List<string> Names(JsonObject root) => root.Where(p => p.Key != "__metadata__" && p.Value is JsonObject).Select(p => p.Key).ToList();

    private static JsonObject? Entry(JsonObject root, int pick) => Names(root) is { Count: > 0 } names ? root[names[pick % names.Count]] as JsonObject : null;

    /// <summary>Values for a dimension or an offset: valid-looking, negative, and past every integer type.</summary>
    private static readonly string[] IntegerLiterals =
    [
        "0", "1", "-1", "2", "12", "2147483647", "2147483648", "4294967296", "4294967308", "9007199254740993",
        "9223372036854775807", "9223372036854775808", "18446744073709551615", "1e3", "1.5", "-0", "12.0", "\"12\"", "null", "true", "[]", "{}",
    ];

    private static readonly string[] DTypes = ["F32", "F64", "F16", "BF16", "I32", "I64", "U8", "BOOL", "F8_E4M3", "f32", "", "F64 ", "F32\u0000", "complex64"];

    /// <summary>Edits that know the safetensors layout: names, dtypes, shapes, offsets, metadata, the prefix, the data.</summary>
    public static Gen<Mutation> Safetensors =>
        Gen.Frequency(
            (10, (IGen<Mutation>)(from value in Pick(HeaderLengths)
                select new Mutation($"header length := {value}", b => Edit(b, c => { if (c.Length >= 8) BinaryPrimitives.WriteUInt64LittleEndian(c, value); })))),
            (4, from delta in Gen.Int[-9, 9]
                select new Mutation($"header length += {delta}", b => Edit(b, c => { if (c.Length >= 8) BinaryPrimitives.WriteUInt64LittleEndian(c, BinaryPrimitives.ReadUInt64LittleEndian(c) + (ulong)(long)delta); }))),
            (8, from a in Gen.Int[0, 50] from b2 in Gen.Int[0, 50] from escaped in Gen.Bool
                select new Mutation($"duplicate name (entry {b2} renamed to entry {a}'s{(escaped ? ", escaped" : "")})", file =>
                {
                    if (Split(file) is not var (header, data) || JsonNode.Parse(header) is not JsonObject root) return file;
                    var names = Names(root);
                    if (names.Count < 2) return file;
                    string target = names[a % names.Count], victim = names[b2 % names.Count];
                    if (target == victim) victim = names[(b2 + 1) % names.Count];
                    string replacement = escaped ? "\\u" + ((int)target[0]).ToString("x4", CultureInfo.InvariantCulture) + target[1..] : target;
                    int at = header.IndexOf("\"" + victim + "\":", StringComparison.Ordinal);
                    return at < 0 ? file : Join(header[..at] + "\"" + replacement + "\":" + header[(at + victim.Length + 3)..], data);
                })),
            (14, from pick in Gen.Int[0, 50] from kind in Gen.Int[0, 5] from dim in Gen.Int[0, 3] from literal in Pick(IntegerLiterals)
                select Json($"shape edit {kind} of entry {pick} (dim {dim}, {literal})", (root, _) =>
                {
                    if (Entry(root, pick)?["shape"] is not JsonArray shape) return null;
                    switch (kind)
                    {
                        case 0: if (shape.Count > 0) shape[dim % shape.Count] = Raw(literal); break;
                        case 1: shape.Add(Raw(literal)); break;
                        case 2: if (shape.Count > 0) shape.RemoveAt(shape.Count - 1); break;
                        case 3: if (shape.Count > 1) { JsonNode? first = shape[0]!.DeepClone(); shape[0] = shape[^1]!.DeepClone(); shape[^1] = first; } break;
                        case 4: shape.Clear(); break;
                        default: Entry(root, pick)!["shape"] = Raw(literal); break;
                    }
                    return null;
                })),
            (10, from pick in Gen.Int[0, 50] from dtype in Pick(DTypes) from raw in Gen.Int[0, 9]
                select Json($"dtype of entry {pick} := {(raw == 0 ? "42" : raw == 1 ? "null" : dtype)}", (root, _) =>
                {
                    if (Entry(root, pick) is not { } entry) return null;
                    entry["dtype"] = raw == 0 ? Raw("42") : raw == 1 ? null : JsonValue.Create(dtype);
                    return null;
                })),
            (16, from pick in Gen.Int[0, 50] from kind in Gen.Int[0, 9] from k in Gen.Int[-8, 8] from literal in Pick(IntegerLiterals)
                select Json($"data_offsets edit {kind} of entry {pick} (k={k}, {literal})", (root, data) =>
                {
                    var names = Names(root);
                    if (Entry(root, pick) is not { } entry || entry["data_offsets"] is not JsonArray o || o.Count != 2) return null;
                    long begin = o[0]!.GetValue<long>(), end = o[1]!.GetValue<long>();
                    switch (kind)
                    {
                        case 0: o[0] = begin + k; o[1] = end + k; break;                          // shifted: overlap or hole
                        case 1: o[0] = end; o[1] = begin; break;                                  // reversed
                        case 2: o[1] = end + k; break;                                            // too short or long for the shape
                        case 3: o[1] = data.Length + 1 + Math.Abs(k); break;                      // past the end
                        case 4: o[Math.Abs(k) % 2] = Raw(literal); break;                         // not an offset
                        case 5: o.RemoveAt(1); break;                                             // one value
                        case 6: o.Add(end); break;                                                // three values
                        case 7:                                                                   // another entry's range
                            if (root[names[(pick + 1) % names.Count]]?["data_offsets"] is JsonArray other) entry["data_offsets"] = other.DeepClone();
                            break;
                        case 8: o[0] = 0; break;                                                  // overlaps everything before
                        default: entry["data_offsets"] = Raw(literal); break;
                    }
                    return null;
                })),
            (6, from pick in Gen.Int[0, 50] from member in Pick("dtype", "shape", "data_offsets")
                select Json($"remove {member} of entry {pick}", (root, _) => { Entry(root, pick)?.Remove(member); return null; })),
            (6, from kind in Gen.Int[0, 7]
                select Json($"metadata variant {kind}", (root, _) =>
                {
                    root.Remove("__metadata__");
                    root["__metadata__"] = kind switch
                    {
                        0 => new JsonObject { ["format"] = "pt", ["é"] = "\u2603" },
                        1 => new JsonObject { ["format"] = 1 },
                        2 => JsonValue.Create("pt"),
                        3 => new JsonObject { ["nested"] = new JsonObject { ["x"] = 1 } },
                        4 => null,
                        5 => new JsonArray(),
                        6 => new JsonObject(),
                        _ => new JsonObject { ["dtype"] = "F32", ["shape"] = new JsonArray(1), ["data_offsets"] = new JsonArray(0, 4) },
                    };
                    return null;
                })),
            (8, from pick in Gen.Int[0, 50] from name in Pick("", "é", "\U0001F600", "\u0000", "a\"b", new string('x', 5000), "__metadata__", "rnn.weight_ih_l0 ")
                select Json($"rename entry {pick} to {Quote(name)}", (root, _) =>
                {
                    var names = Names(root);
                    if (names.Count == 0) return null;
                    string old = names[pick % names.Count];
                    JsonNode? node = root[old];
                    root.Remove(old);
                    if (root.ContainsKey(name)) root.Remove(name);
                    root[name] = node;
                    return null;
                })),
            (5, from pick in Gen.Int[0, 50] from bad in Pick<byte[]>([0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80], [0xE2, 0x82])
                select new Mutation($"invalid UTF-8 {Convert.ToHexString(bad)} in the name of entry {pick}", file =>
                {
                    if (Split(file) is not var (header, data) || JsonNode.Parse(header) is not JsonObject root) return file;
                    var names = Names(root);
                    if (names.Count == 0) return file;
                    byte[] h = Encoding.UTF8.GetBytes(header);
                    byte[] quoted = Encoding.UTF8.GetBytes("\"" + names[pick % names.Count] + "\"");
                    int at = h.AsSpan().IndexOf(quoted);
                    return at < 0 ? file : Join([.. h[..(at + 2)], .. bad, .. h[(at + 2)..]], data);
                })),
            (5, from pick in Gen.Int[0, 50] from extra in Gen.Int[0, 3]
                select Json($"remove entry {pick}, or add an extra tensor ({extra})", (root, data) =>
                {
                    var names = Names(root);
                    if (extra == 0 && names.Count > 0) { root.Remove(names[pick % names.Count]); return null; }
                    root[$"extra.weight{extra}"] = new JsonObject { ["dtype"] = "F32", ["shape"] = new JsonArray(extra), ["data_offsets"] = new JsonArray(data.Length, data.Length + 4 * extra) };
                    return [.. data, .. new byte[4 * extra]];
                })),
            (4, from depth in Pick(10, 64, 65, 200, 5000) from asArray in Gen.Bool
                select Json($"nesting {depth} deep in an unknown field", (root, _) =>
                {
                    if (Entry(root, 0) is not { } entry) return null;
                    string open = asArray ? "[" : "{\"a\":", close = asArray ? "]" : "}";
                    entry["unknown"] = Raw(string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth)));
                    return null;
                })),
            (5, from header in Pick("", "{", "}", "[]", "null", "\"s\"", "{}", "{\"a\":{}}", "{\"a\":1}", "{\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}", "{}{}", "{} ", "\ufeff{}", "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}", "{\"\\ud800\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}", "{\"\\u0061\":{},\"a\":{}}")
                select new Mutation($"header := {Quote(header)}", file => Split(file) is var (_, data) ? Join(header, data) : file)),
            (5, from padding in Pick(" ", "        ", "\0\0\0", "\n", " x", "/* */", "\t}")
                select new Mutation($"header padded with {Quote(padding)}", file => Split(file) is var (header, data) ? Join(header + padding, data) : file)),
            (8, from kind in Gen.Int[0, 3] from f in Gen.Double[0, 1] from bits in Pick(0x7FC00000u, 0xFFC00001u, 0x7F800000u, 0xFF800000u, 0x7F800001u, 0x00000001u, 0x80000000u)
                select new Mutation($"data edit {kind} at {f:P1} (0x{bits:X8})", file =>
                {
                    if (Split(file) is not var (header, data)) return file;
                    byte[] d = (byte[])data.Clone();
                    switch (kind)
                    {
                        case 0: if (d.Length >= 4) BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(At(d, f) & ~3), bits); break; // NaN, ±Inf, subnormal, −0 in an F32 slot
                        case 1: d = d[..At(d, f)]; break;
                        case 2: d = [.. d, .. new byte[1 + At(d, f) % 13]]; break;
                        default: d = []; break;
                    }
                    return Join(header, d);
                })));

    private static string Quote(string s) => JsonSerializer.Serialize(s.Length > 40 ? s[..40] + "…" : s);
}
