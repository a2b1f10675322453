using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace RnnGen;

/// <summary>
/// One named parameter tensor of a generated model: its PyTorch <c>state_dict</c> name, its shape (PyTorch's) and
/// where its values start in the model's flat <c>Parameters</c> span (row-major, PyTorch layout).
/// </summary>
public sealed class ParameterInfo
{
    /// <summary>Describes a tensor named <paramref name="name"/> of the given <paramref name="shape"/> at <paramref name="offset"/>.</summary>
    public ParameterInfo(string name, int offset, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        Name = name;
        Offset = offset;
        Shape = new ReadOnlyCollection<int>((int[])shape.Clone());
        int length = 1;
        foreach (int dimension in shape) length = checked(length * dimension);
        Length = length;
    }

    /// <summary>The PyTorch name, for example <c>rnn.weight_ih_l0</c>.</summary>
    public string Name { get; }

    /// <summary>The tensor's shape, for example <c>[4·H, I]</c> for an LSTM's <c>weight_ih</c>.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>Index of the first value in the model's flat parameter span.</summary>
    public int Offset { get; }

    /// <summary>Number of values (the product of <see cref="Shape"/>).</summary>
    public int Length { get; }

    /// <summary>The shape written as <c>[a, b]</c>, as in error messages.</summary>
    public string ShapeText => FormatShape(Shape);

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {ShapeText}";

    internal static string FormatShape(IReadOnlyList<int> shape) => "[" + string.Join(", ", shape) + "]";
}
