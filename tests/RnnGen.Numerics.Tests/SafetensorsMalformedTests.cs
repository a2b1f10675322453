using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using RnnGen.Numerics.Tests.Models;
using Xunit;

namespace RnnGen.Numerics.Tests;

/// <summary>
/// LoadSafetensors on hand-made malformed files: each must throw <see cref="InvalidDataException"/> with a message that
/// names the tensor and the shapes involved, and leave every parameter bit for bit as it was (from a path and from a
/// stream). Also Save → Load round trips, float ↔ double conversion, the atomic save and <c>Parameter(name)</c>.
/// </summary>
public sealed class SafetensorsMalformedTests : IDisposable
{
    // SmallLstmFloat: rnn.weight_ih_l0 [12, 2] (96 B), rnn.weight_hh_l0 [12, 3] (144 B), rnn.bias_ih_l0 [12] (48 B),
    // rnn.bias_hh_l0 [12] (48 B), head.weight [2, 3] (24 B), head.bias [2] (8 B): 92 values, 368 bytes of F32 data.
    private const int ParameterCount = 92;

    private readonly string _folder = Directory.CreateTempSubdirectory("rnngen-safetensors-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>The model's values before a load: distinct, exact in float and double.</summary>
    private static float ModelValue(int k) => (k + 1) * 0.125f - 3f;

    /// <summary>The values of the (otherwise well-formed) files: distinct and different from the model's.</summary>
    private static float FileValue(int k) => -(k + 1) * 0.5f;

    private static SmallLstmFloat NewModel()
    {
        var model = new SmallLstmFloat();
        Assert.Equal(ParameterCount, SmallLstmFloat.ParameterCount);
        for (int k = 0; k < ParameterCount; k++) model.Parameters[k] = ModelValue(k);
        return model;
    }

    private static SafetensorsBuilder GoodFile() =>
        SafetensorsBuilder.FromLayout(SmallLstmFloat.ParameterLayout, Enumerable.Range(0, ParameterCount).Select(FileValue).ToArray());

    private static byte[] Bits<T>(ReadOnlySpan<T> values) where T : unmanaged => MemoryMarshal.AsBytes(values).ToArray();

    /// <summary>The malformed inputs, each with the texts its error message must contain.</summary>
    private static (byte[] File, string[] MessageParts) Malformed(string name)
    {
        SafetensorsBuilder file = GoodFile();
        byte[] good = file.Build();
        int headerLength = file.Header().Length;
        int dataStart = 8 + headerLength;
        switch (name)
        {
            case "missing tensor":
                return (file.Remove("rnn.bias_hh_l0").Build(), ["'rnn.bias_hh_l0'", "missing", "[12]"]);
            case "extra tensor":
                return (file.AddF32("rnn.weight_ih_l1", [12, 3], new float[36]).Build(), ["'rnn.weight_ih_l1'", "[12, 3]", "not a parameter"]);
            case "wrong shape":
                file["rnn.weight_ih_l0"].Shape = [12, 3];
                file["rnn.weight_ih_l0"].Bytes = new byte[36 * 4];
                return (file.Build(), ["'rnn.weight_ih_l0'", "[12, 3]", "[12, 2]"]);
            case "transposed shape":
                file["head.weight"].Shape = [3, 2];
                return (file.Build(), ["'head.weight'", "[3, 2]", "[2, 3]"]);
            case "flattened shape":
                file["rnn.weight_hh_l0"].Shape = [36];
                return (file.Build(), ["'rnn.weight_hh_l0'", "[36]", "[12, 3]"]);
            case "dtype I32":
                file["rnn.weight_hh_l0"].DType = "I32";
                return (file.Build(), ["'rnn.weight_hh_l0'", "I32", "F32 or F64"]);
            case "dtype F16":
                file["head.weight"].DType = "F16";
                file["head.weight"].Bytes = new byte[6 * 2];
                return (file.Build(), ["'head.weight'", "F16", "F32 or F64"]);
            case "unknown dtype":
                file["head.bias"].DType = "F33";
                return (file.Build(), ["'head.bias'", "F33"]);
            case "truncated in the prefix (3 bytes)":
                return (good[..3], ["runcated", "8-byte header length", "3 of 8"]);
            case "truncated in the prefix (7 bytes)":
                return (good[..7], ["runcated", "8-byte header length", "7 of 8"]);
            case "truncated in the header (1 byte)":
                return (good[..9], ["runcated", "JSON header", $"1 of {headerLength}"]);
            case "truncated in the header (half)":
                return (good[..(8 + headerLength / 2)], ["runcated", "JSON header", $"{headerLength / 2} of {headerLength}"]);
            case "truncated after the header":
                return (good[..dataStart], ["'rnn.weight_ih_l0'", "truncated", "0 bytes"]);
            case "truncated in the first tensor":
                return (good[..(dataStart + 50)], ["'rnn.weight_ih_l0'", "truncated", "ends at byte 96"]);
            case "truncated in the second tensor":
                return (good[..(dataStart + 100)], ["'rnn.weight_hh_l0'", "truncated", "ends at byte 240"]);
            case "truncated by one byte":
                return (good[..^1], ["'head.bias'", "truncated", "ends at byte 368", "367 bytes"]);
            case "header length larger than the file":
                file.HeaderLength = (ulong)(good.Length + 1000);
                return (file.Build(), ["runcated", "JSON header"]);
            case "header length 2^64-1":
                file.HeaderLength = ulong.MaxValue;
                return (file.Build(), ["header length", ulong.MaxValue.ToString()]);
            case "header length 0":
                file.HeaderLength = 0;
                return (file.Build(), ["header length 0"]);
            case "header not JSON":
                file.RawHeader = SafetensorsBuilder.Utf8("this is not JSON at all!");
                return (file.Build(), ["not valid JSON"]);
            case "header JSON cut short":
                file.RawHeader = file.Header()[..(headerLength / 2)];
                return (file.Build(), ["not valid JSON"]);
            case "header a JSON array":
                file.RawHeader = SafetensorsBuilder.Utf8("[1, 2, 3]");
                return (file.Build(), ["not a JSON object"]);
            case "header with content after the object":
                file.RawHeader = [.. file.Header(), .. SafetensorsBuilder.Utf8("{}")];
                return (file.Build(), ["JSON"]);
            case "header entry not an object":
                file.RawHeader = SafetensorsBuilder.Utf8("""{"rnn.weight_ih_l0": 5}""");
                return (file.Build(), ["'rnn.weight_ih_l0'", "not a JSON object"]);
            case "header entry without data_offsets":
                file.RawHeader = SafetensorsBuilder.Utf8("""{"rnn.weight_ih_l0": {"dtype": "F32", "shape": [12, 2]}}""");
                return (file.Build(), ["'rnn.weight_ih_l0'", "data_offsets"]);
            case "header with a duplicate name":
                file.RawHeader = SafetensorsBuilder.Utf8(System.Text.Encoding.UTF8.GetString(file.Header()).Replace("\"rnn.bias_hh_l0\"", "\"rnn.bias_ih_l0\""));
                return (file.Build(), ["'rnn.bias_ih_l0'", "twice"]);
            case "negative dimension":
                file.RawHeader = SafetensorsBuilder.Utf8(System.Text.Encoding.UTF8.GetString(file.Header()).Replace("\"shape\":[12,2]", "\"shape\":[-12,-2]"));
                return (file.Build(), ["'rnn.weight_ih_l0'", "dimension"]);
            case "header nested too deeply":
                file.RawHeader = SafetensorsBuilder.Utf8("{\"a\": {\"x\": " + new string('[', 100) + new string(']', 100) + "}}");
                return (file.Build(), ["not valid JSON"]);
            case "dtype not a string":
                file.RawHeader = Edit(file, h => h.Replace("\"dtype\":\"F32\"", "\"dtype\":null"));
                return (file.Build(), ["'rnn.weight_ih_l0'", "dtype"]);
            case "shape not an array":
                file.RawHeader = Edit(file, h => h.Replace("\"shape\":[12,3]", "\"shape\":36"));
                return (file.Build(), ["'rnn.weight_hh_l0'", "shape"]);
            case "metadata value not a string":
                file.RawHeader = Edit(file, h => "{\"__metadata__\":{\"format\":1}," + h[1..]);
                return (file.Build(), ["metadata", "'format'"]);
            case "data_offsets far past the end":
                file.RawHeader = Edit(file, h => h.Replace("[360,368]", "[360,99999999999999]"));
                return (file.Build(), ["'head.bias'", "99999999999999", "truncated"]);
            case "data_offsets overlapping":
                file["rnn.weight_hh_l0"].Offsets = [92, 236];
                return (file.Build(), ["'rnn.weight_hh_l0'", "starts at byte 92", "expected 96"]);
            case "data_offsets with a hole":
                file["rnn.weight_ih_l0"].Offsets = [0, 96];
                file["rnn.weight_hh_l0"].Offsets = [100, 244];
                file["rnn.weight_ih_l0"].Bytes = [.. file["rnn.weight_ih_l0"].Bytes, 0, 0, 0, 0];
                return (file.Build(), ["'rnn.weight_hh_l0'", "starts at byte 100", "expected 96"]);
            case "data_offsets shorter than the shape":
                file["rnn.weight_ih_l0"].Bytes = file["rnn.weight_ih_l0"].Bytes[..92];
                return (file.Build(), ["'rnn.weight_ih_l0'", "[12, 2]", "needs 96 bytes", "span 92"]);
            case "data_offsets longer than the shape":
                file["head.weight"].Bytes = [.. file["head.weight"].Bytes, 1, 2, 3, 4];
                return (file.Build(), ["'head.weight'", "[2, 3]", "needs 24 bytes", "span 28"]);
            case "data_offsets reversed":
                file["head.bias"].Offsets = [368, 360];
                return (file.Build(), ["'head.bias'", "data_offsets"]);
            case "trailing bytes after the last tensor":
                file.Trailing = [1, 2, 3, 4, 5];
                return (file.Build(), ["5 bytes after the last tensor"]);
            case "empty file":
                return ([], ["runcated", "0 of 8"]);
            default:
                throw new ArgumentException(name);
        }
    }

    private static byte[] Edit(SafetensorsBuilder file, Func<string, string> edit)
    {
        string header = System.Text.Encoding.UTF8.GetString(file.Header()).TrimEnd(' ');
        string edited = edit(header);
        Assert.NotEqual(header, edited);
        return SafetensorsBuilder.Utf8(edited);
    }

    public static TheoryData<string> MalformedCases => new(
        "missing tensor", "extra tensor", "wrong shape", "transposed shape", "flattened shape", "dtype I32", "dtype F16", "unknown dtype",
        "truncated in the prefix (3 bytes)", "truncated in the prefix (7 bytes)", "truncated in the header (1 byte)",
        "truncated in the header (half)", "truncated after the header", "truncated in the first tensor",
        "truncated in the second tensor", "truncated by one byte",
        "header length larger than the file", "header length 2^64-1", "header length 0",
        "header not JSON", "header JSON cut short", "header a JSON array", "header with content after the object",
        "header entry not an object", "header entry without data_offsets", "header with a duplicate name", "negative dimension",
        "header nested too deeply", "dtype not a string", "shape not an array", "metadata value not a string", "data_offsets far past the end",
        "data_offsets overlapping", "data_offsets with a hole", "data_offsets shorter than the shape", "data_offsets longer than the shape",
        "data_offsets reversed", "trailing bytes after the last tensor", "empty file");

    [Fact]
    public void TheGoodFileLoads()
    {
        // The control: every malformed case is this file with one thing wrong.
        SmallLstmFloat model = NewModel();
        model.LoadSafetensors(new MemoryStream(GoodFile().Build()));
        for (int k = 0; k < ParameterCount; k++) Assert.Equal(FileValue(k), model.Parameters[k]);
    }

    [Theory]
    [MemberData(nameof(MalformedCases))]
    public void MalformedFileThrowsAndLeavesTheModelUnchanged(string name)
    {
        (byte[] bytes, string[] parts) = Malformed(name);
        string path = Path.Combine(_folder, "bad.safetensors");
        File.WriteAllBytes(path, bytes);
        SmallLstmFloat model = NewModel();
        byte[] before = Bits<float>(model.Parameters);

        InvalidDataException fromPath = Assert.Throws<InvalidDataException>(() => model.LoadSafetensors(path));
        Assert.Equal(before, Bits<float>(model.Parameters));
        InvalidDataException fromStream = Assert.Throws<InvalidDataException>(() => model.LoadSafetensors(new MemoryStream(bytes)));
        Assert.Equal(before, Bits<float>(model.Parameters));

        foreach (InvalidDataException e in new[] { fromPath, fromStream })
        {
            foreach (string part in parts)
                Assert.True(e.Message.Contains(part, StringComparison.Ordinal), $"{name}: the message should contain \"{part}\":\n{e.Message}");
            Assert.Contains("not changed", e.Message);
        }
        Assert.Contains(path, fromPath.Message);
    }

    [Fact]
    public void StackedLayerTensorMissingInATwoLayerModel()
    {
        var model = new SmallStackedLstmFloat();
        for (int k = 0; k < model.Parameters.Length; k++) model.Parameters[k] = ModelValue(k);
        byte[] before = Bits<float>(model.Parameters);
        var values = Enumerable.Range(0, model.Parameters.Length).Select(FileValue).ToArray();
        Assert.Contains(SmallStackedLstmFloat.ParameterLayout, p => p.ToString() == "rnn.weight_hh_l1 [12, 3]");

        SafetensorsBuilder file = SafetensorsBuilder.FromLayout(SmallStackedLstmFloat.ParameterLayout, values).Remove("rnn.weight_hh_l1");
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => model.LoadSafetensors(new MemoryStream(file.Build())));
        Assert.Contains("'rnn.weight_hh_l1' is missing (expected shape [12, 3])", e.Message);
        Assert.DoesNotContain("'rnn.weight_hh_l0'", e.Message);
        Assert.Equal(before, Bits<float>(model.Parameters));

        // A one-layer file (the _l1 tensors all missing) is refused as well, naming each of them.
        e = Assert.Throws<InvalidDataException>(() => model.LoadSafetensors(new MemoryStream(GoodFile().Build())));
        foreach (string missing in new[] { "rnn.weight_ih_l1", "rnn.weight_hh_l1", "rnn.bias_ih_l1", "rnn.bias_hh_l1" })
            Assert.Contains($"'{missing}' is missing", e.Message);
        Assert.Equal(before, Bits<float>(model.Parameters));

        // The complete file loads.
        model.LoadSafetensors(new MemoryStream(SafetensorsBuilder.FromLayout(SmallStackedLstmFloat.ParameterLayout, values).Build()));
        Assert.Equal(values, model.Parameters.ToArray());
    }

    [Fact]
    public void SeveralProblemsAreAllReported()
    {
        SafetensorsBuilder file = GoodFile().Remove("head.bias").AddF32("head.extra", [1], [1f]);
        file["rnn.weight_ih_l0"].Shape = [2, 12];
        SmallLstmFloat model = NewModel();
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => model.LoadSafetensors(new MemoryStream(file.Build())));
        Assert.Contains("'head.bias' is missing", e.Message);
        Assert.Contains("'head.extra' [1] is not a parameter", e.Message);
        Assert.Contains("'rnn.weight_ih_l0' has shape [2, 12], expected [12, 2]", e.Message);
    }

    // ── Hostile headers: invalid UTF-8, element counts that overflow, byte counts that would wrap around. ──

    private static void AssertRefused(byte[] header, byte[] data)
    {
        var builder = new SafetensorsBuilder { RawHeader = header };
        byte[] bytes = [.. builder.Build(), .. data];
        SmallLstmFloat model = NewModel();
        byte[] before = Bits<float>(model.Parameters);
        Assert.Throws<InvalidDataException>(() => model.LoadSafetensors(new MemoryStream(bytes)));
        Assert.Throws<InvalidDataException>(() => SafetensorsFile.Read(new MemoryStream(bytes)));
        Assert.Equal(before, Bits<float>(model.Parameters));
    }

    [Fact]
    public void InvalidUtf8InTheHeaderIsInvalidData() =>
        AssertRefused([.. "{\""u8, 0xFF, 0xFE, .. "\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}"u8], new byte[4]);

    [Fact]
    public void ShapeWhoseElementCountOverflowsIsInvalidData() =>
        AssertRefused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647,2147483647],\"data_offsets\":[0,4]}}"u8.ToArray(), new byte[4]);

    [Fact]
    public void ShapeWhoseByteCountWrapsAroundIsInvalidData() =>
        AssertRefused("{\"a\":{\"dtype\":\"F32\",\"shape\":[1073741824,1073741824,4],\"data_offsets\":[0,0]}}"u8.ToArray(), []);

    // ── Round trips ──

    /// <summary>Values that stress "bit for bit": signed zero, subnormal, extremes, infinities, a NaN payload.</summary>
    private static float SpecialFloat(int k) => (k % 9) switch
    {
        0 => -0f,
        1 => float.Epsilon,
        2 => float.MaxValue,
        3 => float.NegativeInfinity,
        4 => BitConverter.Int32BitsToSingle(0x7FC0_1234),
        5 => 1f / 3,
        _ => MathF.ScaleB(1.1f + k, k - 40),
    };

    private static double SpecialDouble(int k) => (k % 9) switch
    {
        0 => -0d,
        1 => double.Epsilon,
        2 => double.MaxValue,
        3 => double.PositiveInfinity,
        4 => BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_ABCD),
        5 => 0.1,
        _ => Math.ScaleB(1.1 + k, 2 * k - 100),
    };

    [Fact]
    public void FloatRoundTripIsBitForBitThroughFileAndStream()
    {
        var model = new SmallLstmFloat();
        for (int k = 0; k < ParameterCount; k++) model.Parameters[k] = SpecialFloat(k);
        byte[] bits = Bits<float>(model.Parameters);

        string path = Path.Combine(_folder, "float.safetensors");
        model.SaveSafetensors(path);
        var fromFile = new SmallLstmFloat();
        fromFile.LoadSafetensors(path);
        Assert.Equal(bits, Bits<float>(fromFile.Parameters));

        var stream = new MemoryStream();
        model.SaveSafetensors(stream);
        Assert.Equal(File.ReadAllBytes(path), stream.ToArray());
        stream.Position = 0;
        var fromStream = new SmallLstmFloat();
        fromStream.LoadSafetensors(stream);
        Assert.Equal(bits, Bits<float>(fromStream.Parameters));

        // The file is plain safetensors: F32, PyTorch names and shapes in layout order, 8-byte aligned data.
        SafetensorsFile read = SafetensorsFile.Read(path);
        Assert.Equal(SmallLstmFloat.ParameterLayout.Select(p => p.ToString()), read.Tensors.Select(t => $"{t.Name} {t.ShapeText}"));
        Assert.All(read.Tensors, t => Assert.Equal("F32", t.DType));
        Assert.Equal(0ul, BinaryPrimitives.ReadUInt64LittleEndian(File.ReadAllBytes(path)) % 8);
    }

    [Fact]
    public void DoubleRoundTripIsBitForBitThroughFileAndStream()
    {
        var model = new SmallLstmDouble();
        for (int k = 0; k < ParameterCount; k++) model.Parameters[k] = SpecialDouble(k);
        byte[] bits = Bits<double>(model.Parameters);

        string path = Path.Combine(_folder, "double.safetensors");
        model.SaveSafetensors(path);
        var fromFile = new SmallLstmDouble();
        fromFile.LoadSafetensors(path);
        Assert.Equal(bits, Bits<double>(fromFile.Parameters));

        var stream = new MemoryStream();
        stream.Write([9, 9, 9]); // Load reads from the stream's position to its end.
        model.SaveSafetensors(stream);
        stream.Position = 3;
        var fromStream = new SmallLstmDouble();
        fromStream.LoadSafetensors(stream);
        Assert.Equal(bits, Bits<double>(fromStream.Parameters));
        Assert.All(SafetensorsFile.Read(path).Tensors, t => Assert.Equal("F64", t.DType));
    }

    [Fact]
    public void FloatFileLoadsIntoTheDoubleModelAndBack()
    {
        var single = new SmallLstmFloat();
        for (int k = 0; k < ParameterCount; k++) single.Parameters[k] = ModelValue(k) / 3; // not exact in binary: tests rounding
        string floatPath = Path.Combine(_folder, "f32.safetensors");
        single.SaveSafetensors(floatPath);

        var wide = new SmallLstmDouble();
        wide.LoadSafetensors(floatPath);
        for (int k = 0; k < ParameterCount; k++) Assert.Equal((double)single.Parameters[k], wide.Parameters[k]);

        // F64 into the float model: rounded to nearest float.
        for (int k = 0; k < ParameterCount; k++) wide.Parameters[k] = (k + 1) / 7.0;
        string doublePath = Path.Combine(_folder, "f64.safetensors");
        wide.SaveSafetensors(doublePath);
        var narrow = new SmallLstmFloat();
        narrow.LoadSafetensors(doublePath);
        for (int k = 0; k < ParameterCount; k++)
            Assert.Equal(BitConverter.SingleToInt32Bits((float)((k + 1) / 7.0)), BitConverter.SingleToInt32Bits(narrow.Parameters[k]));

        // The widened floats go back to the same float bits.
        var back = new SmallLstmFloat();
        var stream = new MemoryStream();
        var widened = new SmallLstmDouble();
        widened.LoadSafetensors(floatPath);
        widened.SaveSafetensors(stream);
        stream.Position = 0;
        back.LoadSafetensors(stream);
        Assert.Equal(Bits<float>(single.Parameters), Bits<float>(back.Parameters));
    }

    [Fact]
    public void SaveLeavesNoTemporaryFileAndReplacesAnExistingFileWhole()
    {
        string path = Path.Combine(_folder, "model.safetensors");
        byte[] old = SafetensorsBuilder.Utf8("an older, unrelated file that is longer than nothing");
        File.WriteAllBytes(path, old);

        var model = NewModel();
        using (FileStream reader = OperatingSystem.IsWindows() ? null! : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            model.SaveSafetensors(path);
            if (!OperatingSystem.IsWindows())
            {
                // The old file was replaced by a rename, not rewritten in place: a reader that had it open still
                // sees the old content in full.
                var seen = new byte[old.Length + 16];
                int n = reader.Read(seen, 0, seen.Length);
                Assert.Equal(old, seen[..n]);
            }
        }
        Assert.Equal(new[] { path }, Directory.GetFiles(_folder));

        // The new file is complete and exactly what the stream writer produces.
        var expected = new MemoryStream();
        model.SaveSafetensors(expected);
        Assert.Equal(expected.ToArray(), File.ReadAllBytes(path));
        var loaded = new SmallLstmFloat();
        loaded.LoadSafetensors(path);
        Assert.Equal(Bits<float>(model.Parameters), Bits<float>(loaded.Parameters));

        // Again, over itself, with other values: still one file, the new values.
        model.Parameters.Fill(0.75f);
        model.SaveSafetensors(path);
        model.SaveSafetensors(path);
        Assert.Equal(new[] { path }, Directory.GetFiles(_folder));
        loaded.LoadSafetensors(path);
        Assert.All(loaded.Parameters.ToArray(), v => Assert.Equal(0.75f, v));
    }

    [Fact]
    public void SaveIntoAMissingFolderThrowsAndLeavesNothing()
    {
        string path = Path.Combine(_folder, "no such folder", "model.safetensors");
        Assert.ThrowsAny<IOException>(() => NewModel().SaveSafetensors(path));
        Assert.Empty(Directory.GetFileSystemEntries(_folder));
    }

    [Fact]
    public void ParameterWithAnUnknownNameThrowsNamingTheTensors()
    {
        SmallLstmFloat model = NewModel();
        ArgumentException e = Assert.Throws<ArgumentException>(() => model.Parameter("nope"));
        Assert.Equal("name", e.ParamName);
        Assert.Contains("'nope'", e.Message);
        foreach (ParameterInfo p in SmallLstmFloat.ParameterLayout) Assert.Contains(p.Name, e.Message);
        Assert.Throws<ArgumentException>(() => ((IRecurrentModel<float>)model).Parameter("rnn.weight_ih_l1"));
        Assert.Throws<ArgumentException>(() => new SmallLstmDouble().Parameter("RNN.WEIGHT_IH_L0"));

        // Every listed tensor is found, with its length, at its offset.
        foreach (ParameterInfo p in SmallLstmFloat.ParameterLayout)
        {
            Span<float> span = model.Parameter(p.Name);
            Assert.Equal(p.Length, span.Length);
            Assert.Equal(ModelValue(p.Offset), span[0]);
        }
    }
}
