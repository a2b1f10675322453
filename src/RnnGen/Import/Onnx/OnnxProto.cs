using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using Google.Protobuf;

namespace RnnGen.Import.Onnx;

// The few ONNX messages the importer needs, read from the protobuf wire format with Google.Protobuf's
// CodedInputStream (no generated classes, no reflection). Field numbers are those of onnx/onnx.proto (IR version 3
// and later); fields not listed are skipped, so newer files with more fields still read.

/// <summary>ModelProto: opset imports and the graph.</summary>
internal sealed class OnnxModelProto
{
    public long IrVersion { get; set; }
    public string ProducerName { get; set; } = "";
    public string ProducerVersion { get; set; } = "";
    public Dictionary<string, long> Opsets { get; } = new(StringComparer.Ordinal);
    public OnnxGraphProto? Graph { get; set; }
}

/// <summary>GraphProto: nodes in the file's (topological) order, initializers, inputs and outputs.</summary>
internal sealed class OnnxGraphProto
{
    public string Name { get; set; } = "";
    public List<OnnxNodeProto> Nodes { get; } = [];
    public List<OnnxTensorProto> Initializers { get; } = [];
    public List<OnnxValueInfo> Inputs { get; } = [];
    public List<OnnxValueInfo> Outputs { get; } = [];
    public int SparseInitializers { get; set; }
}

/// <summary>ValueInfoProto: a name and, when the file says, the tensor's dimensions (-1 for a symbolic one).</summary>
internal sealed class OnnxValueInfo
{
    public string Name { get; set; } = "";
    public int ElementType { get; set; }
    public List<long>? Dims { get; set; }
}

/// <summary>NodeProto.</summary>
internal sealed class OnnxNodeProto
{
    public string Name { get; set; } = "";
    public string OpType { get; set; } = "";
    public string Domain { get; set; } = "";
    public List<string> Inputs { get; } = [];
    public List<string> Outputs { get; } = [];
    public Dictionary<string, OnnxAttributeProto> Attributes { get; } = new(StringComparer.Ordinal);

    /// <summary>Input <paramref name="index"/>, or "" when it is omitted.</summary>
    public string Input(int index) => index < Inputs.Count ? Inputs[index] : "";

    /// <summary>Output <paramref name="index"/>, or "" when it is omitted.</summary>
    public string Output(int index) => index < Outputs.Count ? Outputs[index] : "";

    /// <summary>How error messages name the node: <c>LSTM 'name'</c> (or the first output when unnamed).</summary>
    public string Describe() => $"{OpType} node '{(Name.Length > 0 ? Name : "→ " + Output(0))}'";
}

/// <summary>AttributeProto (the scalar, list and tensor kinds; graphs are skipped).</summary>
internal sealed class OnnxAttributeProto
{
    public string Name { get; set; } = "";
    public int Type { get; set; }
    public float F { get; set; }
    public long I { get; set; }
    public string S { get; set; } = "";
    public OnnxTensorProto? T { get; set; }
    public List<float> Floats { get; } = [];
    public List<long> Ints { get; } = [];
    public List<string> Strings { get; } = [];

    public const int FloatType = 1, IntType = 2, StringType = 3, TensorType = 4, GraphType = 5, FloatsType = 6, IntsType = 7, StringsType = 8;

    public string Describe() => Type switch
    {
        FloatType => F.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        IntType => I.ToString(System.Globalization.CultureInfo.InvariantCulture),
        StringType => "\"" + S + "\"",
        FloatsType => "[" + string.Join(", ", Floats.ConvertAll(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "]",
        IntsType => "[" + string.Join(", ", Ints) + "]",
        StringsType => "[" + string.Join(", ", Strings.ConvertAll(v => "\"" + v + "\"")) + "]",
        _ => "(attribute type " + Type + ")",
    };
}

/// <summary>TensorProto: dims, data type and the values (from raw_data or the typed repeated fields).</summary>
internal sealed class OnnxTensorProto
{
    public string Name { get; set; } = "";
    public List<long> Dims { get; } = [];
    public int DataType { get; set; }
    public byte[]? RawData { get; set; }
    public List<float> FloatData { get; } = [];
    public List<double> DoubleData { get; } = [];
    public List<long> Int64Data { get; } = [];
    public List<int> Int32Data { get; } = [];
    public bool External { get; set; }

    public const int Float = 1, Int32 = 6, Int64 = 7, Float16 = 10, Double = 11, BFloat16 = 16;

    /// <summary>The product of the dims, or -1 when a dim is negative or the product does not fit a <see cref="long"/>.</summary>
    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (long d in Dims)
            {
                if (d < 0 || (d > 0 && count > long.MaxValue / d)) return -1;
                count *= d;
            }
            return count;
        }
    }

    public string ShapeText => "[" + string.Join(", ", Dims) + "]";

    public static string TypeName(int dataType) => dataType switch
    {
        1 => "FLOAT", 2 => "UINT8", 3 => "INT8", 4 => "UINT16", 5 => "INT16", 6 => "INT32", 7 => "INT64", 8 => "STRING",
        9 => "BOOL", 10 => "FLOAT16", 11 => "DOUBLE", 12 => "UINT32", 13 => "UINT64", 16 => "BFLOAT16",
        _ => "data type " + dataType,
    };

    /// <summary>
    /// Whether the data the tensor really holds, its raw_data (values of <paramref name="size"/> bytes) or else its
    /// <paramref name="typedValues"/>, is <paramref name="count"/> values. The dims are only a claim: nothing is
    /// allocated for them before this holds, so a small file cannot make the reader allocate gigabytes.
    /// </summary>
    private bool Holds(long count, int size, int typedValues) =>
        RawData is not null ? RawData.Length % size == 0 && RawData.Length / size == count : typedValues == count;

    /// <summary>The values as doubles (FLOAT or DOUBLE tensors); null with <paramref name="problem"/> set otherwise.</summary>
    public double[]? ToDoubles(out string? problem)
    {
        problem = null;
        if (External)
        {
            problem = "its data is stored in an external file (save the model with its tensors inside: onnx.save_model(model, path, save_as_external_data=False))";
            return null;
        }
        if (DataType is not (Float or Double))
        {
            problem = $"it is {TypeName(DataType)}, but only FLOAT and DOUBLE weights are read";
            return null;
        }
        long count = ElementCount;
        if (count < 0)
        {
            problem = $"its shape {ShapeText} is invalid";
            return null;
        }
        int typed = DataType == Float ? FloatData.Count : DoubleData.Count;
        if (!Holds(count, DataType == Float ? 4 : 8, typed))
        {
            problem = $"its {count} values ({ShapeText}) do not match the data it holds ({(RawData is not null ? RawData.Length + " bytes of raw_data" : typed + " values")})";
            return null;
        }
        var values = new double[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (DataType, RawData) switch
            {
                (Float, not null) => BinaryPrimitives.ReadSingleLittleEndian(RawData.AsSpan(4 * i)),
                (Float, null) => FloatData[i],
                (_, not null) => BinaryPrimitives.ReadDoubleLittleEndian(RawData.AsSpan(8 * i)),
                _ => DoubleData[i],
            };
        }
        return values;
    }

    /// <summary>The values of an INT64 or INT32 tensor (axes, shapes, lengths); null with <paramref name="problem"/> otherwise.</summary>
    public long[]? ToInt64s(out string? problem)
    {
        problem = null;
        long count = ElementCount;
        if (External || count < 0)
        {
            problem = External ? "its data is stored in an external file" : $"its shape {ShapeText} is invalid";
            return null;
        }
        if (DataType is not (Int64 or Int32))
        {
            problem = $"it is {TypeName(DataType)}, expected INT64";
            return null;
        }
        if (!Holds(count, DataType == Int64 ? 8 : 4, DataType == Int64 ? Int64Data.Count : Int32Data.Count))
        {
            problem = $"its {count} values ({ShapeText}) do not match the data it holds";
            return null;
        }
        var values = new long[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (DataType, RawData) switch
            {
                (Int64, not null) => BinaryPrimitives.ReadInt64LittleEndian(RawData.AsSpan(8 * i)),
                (Int64, null) => Int64Data[i],
                (_, not null) => BinaryPrimitives.ReadInt32LittleEndian(RawData.AsSpan(4 * i)),
                _ => Int32Data[i],
            };
        }
        return values;
    }
}

/// <summary>Reads the messages above from bytes with <see cref="CodedInputStream"/>.</summary>
internal static class OnnxProtoReader
{
    /// <summary>Parses a ModelProto.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a protobuf ModelProto with a graph.</exception>
    public static OnnxModelProto ReadModel(byte[] bytes)
    {
        var model = new OnnxModelProto();
        try
        {
            var input = new CodedInputStream(bytes);
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                switch (WireFormat.GetTagFieldNumber(tag))
                {
                    case 1 when Is(tag, WireFormat.WireType.Varint): model.IrVersion = input.ReadInt64(); break;
                    case 2 when Is(tag, WireFormat.WireType.LengthDelimited): model.ProducerName = input.ReadString(); break;
                    case 3 when Is(tag, WireFormat.WireType.LengthDelimited): model.ProducerVersion = input.ReadString(); break;
                    case 7 when Is(tag, WireFormat.WireType.LengthDelimited): model.Graph = Nested(input, ReadGraph); break;
                    case 8 when Is(tag, WireFormat.WireType.LengthDelimited):
                        (string domain, long version) = Nested(input, ReadOpset);
                        model.Opsets[domain.Length == 0 ? "ai.onnx" : domain] = version;
                        break;
                    default: input.SkipLastField(); break;
                }
            }
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"it is not an ONNX model (protobuf: {e.Message})", e);
        }
        if (model.Graph is null)
            throw new InvalidDataException("it is not an ONNX model: it has no graph (ModelProto field 7)");
        return model;
    }

    private static bool Is(uint tag, WireFormat.WireType type) => WireFormat.GetTagWireType(tag) == type;

    // A nested message is a length-delimited field: read its bytes and parse them with their own stream (the
    // stream's PushLimit/PopLimit are not public). Truncated data throws InvalidProtocolBufferException.
    private static TResult Nested<TResult>(CodedInputStream input, Func<CodedInputStream, TResult> read) =>
        read(input.ReadBytes().CreateCodedInput());

    private static (string, long) ReadOpset(CodedInputStream input)
    {
        string domain = "";
        long version = 0;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1 when Is(tag, WireFormat.WireType.LengthDelimited): domain = input.ReadString(); break;
                case 2 when Is(tag, WireFormat.WireType.Varint): version = input.ReadInt64(); break;
                default: input.SkipLastField(); break;
            }
        }
        return (domain, version);
    }

    private static OnnxGraphProto ReadGraph(CodedInputStream input)
    {
        var graph = new OnnxGraphProto();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            bool bytes = Is(tag, WireFormat.WireType.LengthDelimited);
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1 when bytes: graph.Nodes.Add(Nested(input, ReadNode)); break;
                case 2 when bytes: graph.Name = input.ReadString(); break;
                case 5 when bytes: graph.Initializers.Add(Nested(input, ReadTensor)); break;
                case 11 when bytes: graph.Inputs.Add(Nested(input, ReadValueInfo)); break;
                case 12 when bytes: graph.Outputs.Add(Nested(input, ReadValueInfo)); break;
                case 15 when bytes: graph.SparseInitializers++; input.SkipLastField(); break;
                default: input.SkipLastField(); break;
            }
        }
        return graph;
    }

    private static OnnxNodeProto ReadNode(CodedInputStream input)
    {
        var node = new OnnxNodeProto();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            bool bytes = Is(tag, WireFormat.WireType.LengthDelimited);
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1 when bytes: node.Inputs.Add(input.ReadString()); break;
                case 2 when bytes: node.Outputs.Add(input.ReadString()); break;
                case 3 when bytes: node.Name = input.ReadString(); break;
                case 4 when bytes: node.OpType = input.ReadString(); break;
                case 5 when bytes:
                    OnnxAttributeProto attribute = Nested(input, ReadAttribute);
                    node.Attributes[attribute.Name] = attribute;
                    break;
                case 7 when bytes: node.Domain = input.ReadString(); break;
                default: input.SkipLastField(); break;
            }
        }
        return node;
    }

    private static OnnxAttributeProto ReadAttribute(CodedInputStream input)
    {
        var attribute = new OnnxAttributeProto();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            WireFormat.WireType wire = WireFormat.GetTagWireType(tag);
            bool bytes = wire == WireFormat.WireType.LengthDelimited;
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1 when bytes: attribute.Name = input.ReadString(); break;
                case 2 when wire == WireFormat.WireType.Fixed32: attribute.F = input.ReadFloat(); break;
                case 3 when wire == WireFormat.WireType.Varint: attribute.I = input.ReadInt64(); break;
                case 4 when bytes: attribute.S = input.ReadBytes().ToStringUtf8(); break;
                case 5 when bytes: attribute.T = Nested(input, ReadTensor); break;
                case 7: ReadFloats(input, wire, attribute.Floats); break;
                case 8: ReadInt64s(input, wire, attribute.Ints); break;
                case 9 when bytes: attribute.Strings.Add(input.ReadBytes().ToStringUtf8()); break;
                case 20 when wire == WireFormat.WireType.Varint: attribute.Type = input.ReadInt32(); break;
                default: input.SkipLastField(); break;
            }
        }
        if (attribute.Type == 0)
        {
            // IR < 0.0.2 files may leave the type out: infer it from the field that is set.
            attribute.Type = attribute.T is not null ? OnnxAttributeProto.TensorType
                : attribute.Floats.Count > 0 ? OnnxAttributeProto.FloatsType
                : attribute.Ints.Count > 0 ? OnnxAttributeProto.IntsType
                : attribute.Strings.Count > 0 ? OnnxAttributeProto.StringsType
                : attribute.S.Length > 0 ? OnnxAttributeProto.StringType
                : attribute.F != 0 ? OnnxAttributeProto.FloatType
                : OnnxAttributeProto.IntType;
        }
        return attribute;
    }

    private static OnnxTensorProto ReadTensor(CodedInputStream input)
    {
        var tensor = new OnnxTensorProto();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            WireFormat.WireType wire = WireFormat.GetTagWireType(tag);
            bool bytes = wire == WireFormat.WireType.LengthDelimited;
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: ReadInt64s(input, wire, tensor.Dims); break;
                case 2 when wire == WireFormat.WireType.Varint: tensor.DataType = input.ReadInt32(); break;
                case 4: ReadFloats(input, wire, tensor.FloatData); break;
                case 5: ReadInt32s(input, wire, tensor.Int32Data); break;
                case 7: ReadInt64s(input, wire, tensor.Int64Data); break;
                case 8 when bytes: tensor.Name = input.ReadString(); break;
                case 9 when bytes: tensor.RawData = input.ReadBytes().ToByteArray(); break;
                case 10: ReadDoubles(input, wire, tensor.DoubleData); break;
                case 13 when bytes: tensor.External = true; input.SkipLastField(); break;
                case 14 when wire == WireFormat.WireType.Varint: tensor.External |= input.ReadInt32() == 1; break;
                default: input.SkipLastField(); break;
            }
        }
        return tensor;
    }

    private static OnnxValueInfo ReadValueInfo(CodedInputStream input)
    {
        var info = new OnnxValueInfo();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            bool bytes = Is(tag, WireFormat.WireType.LengthDelimited);
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1 when bytes: info.Name = input.ReadString(); break;
                case 2 when bytes: Nested(input, i => ReadType(i, info)); break;
                default: input.SkipLastField(); break;
            }
        }
        return info;
    }

    // TypeProto { Tensor tensor_type = 1 } → Tensor { int32 elem_type = 1; TensorShapeProto shape = 2 }
    // → TensorShapeProto { repeated Dimension dim = 1 } → Dimension { int64 dim_value = 1; string dim_param = 2 }.
    private static bool ReadType(CodedInputStream input, OnnxValueInfo info)
    {
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1 && Is(tag, WireFormat.WireType.LengthDelimited)) Nested(input, i => ReadTensorType(i, info));
            else input.SkipLastField();
        }
        return true;
    }

    private static bool ReadTensorType(CodedInputStream input, OnnxValueInfo info)
    {
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1 when Is(tag, WireFormat.WireType.Varint): info.ElementType = input.ReadInt32(); break;
                case 2 when Is(tag, WireFormat.WireType.LengthDelimited):
                    info.Dims = [];
                    Nested(input, i => ReadShape(i, info.Dims));
                    break;
                default: input.SkipLastField(); break;
            }
        }
        return true;
    }

    private static bool ReadShape(CodedInputStream input, List<long> dims)
    {
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1 && Is(tag, WireFormat.WireType.LengthDelimited)) dims.Add(Nested(input, ReadDimension));
            else input.SkipLastField();
        }
        return true;
    }

    private static long ReadDimension(CodedInputStream input)
    {
        long value = -1;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1 && Is(tag, WireFormat.WireType.Varint)) value = input.ReadInt64();
            else input.SkipLastField();
        }
        return value;
    }

    // Repeated scalars arrive packed (one length-delimited run) or one by one; both are valid protobuf.
    private static void ReadInt64s(CodedInputStream input, WireFormat.WireType wire, List<long> values)
    {
        if (wire == WireFormat.WireType.Varint) { values.Add(input.ReadInt64()); return; }
        if (wire != WireFormat.WireType.LengthDelimited) { input.SkipLastField(); return; }
        CodedInputStream packed = input.ReadBytes().CreateCodedInput();
        while (!packed.IsAtEnd) values.Add(packed.ReadInt64());
    }

    private static void ReadInt32s(CodedInputStream input, WireFormat.WireType wire, List<int> values)
    {
        if (wire == WireFormat.WireType.Varint) { values.Add(input.ReadInt32()); return; }
        if (wire != WireFormat.WireType.LengthDelimited) { input.SkipLastField(); return; }
        CodedInputStream packed = input.ReadBytes().CreateCodedInput();
        while (!packed.IsAtEnd) values.Add(packed.ReadInt32());
    }

    private static void ReadFloats(CodedInputStream input, WireFormat.WireType wire, List<float> values)
    {
        if (wire == WireFormat.WireType.Fixed32) { values.Add(input.ReadFloat()); return; }
        if (wire != WireFormat.WireType.LengthDelimited) { input.SkipLastField(); return; }
        ReadOnlySpan<byte> bytes = input.ReadBytes().Span;
        if (bytes.Length % 4 != 0) throw new InvalidDataException("it is not an ONNX model: a packed float field has a length that is not a multiple of 4");
        for (int i = 0; i < bytes.Length; i += 4) values.Add(BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i)));
    }

    private static void ReadDoubles(CodedInputStream input, WireFormat.WireType wire, List<double> values)
    {
        if (wire == WireFormat.WireType.Fixed64) { values.Add(input.ReadDouble()); return; }
        if (wire != WireFormat.WireType.LengthDelimited) { input.SkipLastField(); return; }
        ReadOnlySpan<byte> bytes = input.ReadBytes().Span;
        if (bytes.Length % 8 != 0) throw new InvalidDataException("it is not an ONNX model: a packed double field has a length that is not a multiple of 8");
        for (int i = 0; i < bytes.Length; i += 8) values.Add(BinaryPrimitives.ReadDoubleLittleEndian(bytes.Slice(i)));
    }
}
