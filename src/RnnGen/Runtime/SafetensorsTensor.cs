using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace RnnGen;

/// <summary>One tensor read from a safetensors file: name, dtype, shape and its raw little-endian bytes.</summary>
public sealed class SafetensorsTensor
{
    private readonly ReadOnlyMemory<byte> _bytes;

    internal SafetensorsTensor(string name, string dtype, int[] shape, ReadOnlyMemory<byte> bytes)
    {
        Name = name;
        DType = dtype;
        Shape = new ReadOnlyCollection<int>(shape);
        _bytes = bytes;
    }

    /// <summary>The tensor's name in the file.</summary>
    public string Name { get; }

    /// <summary>The safetensors dtype, for example <c>F32</c> or <c>F64</c>.</summary>
    public string DType { get; }

    /// <summary>The tensor's shape; empty for a scalar.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>Number of elements (the product of <see cref="Shape"/>).</summary>
    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (int dimension in Shape) count *= dimension;
            return count;
        }
    }

    /// <summary>The raw bytes, little-endian.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes.Span;

    /// <summary>The shape written as <c>[a, b]</c>.</summary>
    public string ShapeText => ParameterInfo.FormatShape(Shape);

    /// <summary>Whether the values are <c>F32</c> or <c>F64</c>, the dtypes <see cref="CopyTo(Span{double})"/> converts.</summary>
    public bool IsFloatingPoint => DType is "F32" or "F64";

    /// <summary>Converts the values (F32 or F64) to <see cref="double"/>.</summary>
    /// <exception cref="InvalidOperationException">The dtype is not F32 or F64, or the lengths differ.</exception>
    public void CopyTo(Span<double> destination)
    {
        CheckDestination(destination.Length);
        ReadOnlySpan<byte> bytes = Bytes;
        if (DType == "F64")
            for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes.Slice(8 * i));
        else
            for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(4 * i));
    }

    /// <summary>Converts the values (F32 or F64, rounded to nearest) to <see cref="float"/>.</summary>
    /// <exception cref="InvalidOperationException">The dtype is not F32 or F64, or the lengths differ.</exception>
    public void CopyTo(Span<float> destination)
    {
        CheckDestination(destination.Length);
        ReadOnlySpan<byte> bytes = Bytes;
        if (DType == "F64")
            for (int i = 0; i < destination.Length; i++) destination[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes.Slice(8 * i));
        else
            for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(4 * i));
    }

    /// <summary>The values as a new <see cref="double"/> array (F32 or F64).</summary>
    public double[] ToDoubleArray()
    {
        var values = new double[ElementCount];
        CopyTo(values);
        return values;
    }

    /// <summary>The values as a new <see cref="float"/> array (F32 or F64).</summary>
    public float[] ToSingleArray()
    {
        var values = new float[ElementCount];
        CopyTo(values);
        return values;
    }

    private void CheckDestination(int length)
    {
        if (!IsFloatingPoint)
            throw new InvalidOperationException($"Tensor '{Name}' has dtype {DType}; only F32 and F64 convert to floating point.");
        if (length != ElementCount)
            throw new InvalidOperationException($"Tensor '{Name}' {ShapeText} has {ElementCount} elements; the destination has {length}.");
    }
}
