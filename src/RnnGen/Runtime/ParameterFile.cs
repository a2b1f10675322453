using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace RnnGen;

/// <summary>
/// Loads and saves a generated model's parameters as safetensors with PyTorch names. Loading checks the whole
/// file against the model's layout before it writes a single value, so a bad file leaves the model unchanged.
/// </summary>
public static class ParameterFile
{
    /// <summary>
    /// Reads every tensor of <paramref name="layout"/> from <paramref name="file"/> and, only if all of them are
    /// present with the right shape and a floating-point dtype and no other tensor is in the file, writes them into
    /// <paramref name="parameters"/> (converted to <typeparamref name="T"/>).
    /// </summary>
    /// <exception cref="InvalidDataException">A tensor is missing, extra, wrongly shaped or not F32/F64.</exception>
    public static void Load<T>(SafetensorsFile file, IReadOnlyList<ParameterInfo> layout, Span<T> parameters, string source)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(layout);
        CheckLength(layout, parameters.Length);

        var problems = new List<string>();
        var expected = new HashSet<string>(layout.Select(p => p.Name), StringComparer.Ordinal);
        foreach (ParameterInfo parameter in layout)
        {
            SafetensorsTensor? tensor = file.Find(parameter.Name);
            if (tensor is null)
                problems.Add($"tensor '{parameter.Name}' is missing (expected shape {parameter.ShapeText})");
            else if (!tensor.Shape.SequenceEqual(parameter.Shape))
                problems.Add($"tensor '{parameter.Name}' has shape {tensor.ShapeText}, expected {parameter.ShapeText}");
            else if (!tensor.IsFloatingPoint)
                problems.Add($"tensor '{parameter.Name}' has dtype {tensor.DType}, expected F32 or F64");
        }
        foreach (SafetensorsTensor tensor in file.Tensors)
            if (!expected.Contains(tensor.Name))
                problems.Add($"tensor '{tensor.Name}' {tensor.ShapeText} is not a parameter of this model");
        if (problems.Count > 0)
        {
            var message = new StringBuilder($"Cannot load {source}: ");
            message.Append(string.Join("; ", problems)).Append(". The model's parameters were not changed. Expected tensors: ");
            message.Append(string.Join(", ", layout.Select(p => p.ToString()))).Append('.');
            throw new InvalidDataException(message.ToString());
        }

        // Everything checked: now convert into a scratch copy, then commit in one go.
        T[] staged = new T[parameters.Length];
        foreach (ParameterInfo parameter in layout)
        {
            Span<T> destination = staged.AsSpan(parameter.Offset, parameter.Length);
            if (typeof(T) == typeof(float)) file[parameter.Name].CopyTo(System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(destination));
            else if (typeof(T) == typeof(double)) file[parameter.Name].CopyTo(System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(destination));
            else throw new NotSupportedException($"Only float and double parameters are supported, not {typeof(T).Name}.");
        }
        staged.CopyTo(parameters);
    }

    /// <summary>Loads a safetensors file into <paramref name="parameters"/>; see <see cref="Load{T}(SafetensorsFile, IReadOnlyList{ParameterInfo}, Span{T}, string)"/>.</summary>
    public static void Load<T>(string path, IReadOnlyList<ParameterInfo> layout, Span<T> parameters) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(path);
        SafetensorsFile file;
        try
        {
            file = SafetensorsFile.Read(path);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Cannot load '{path}': {e.Message} The model's parameters were not changed.", e);
        }
        Load(file, layout, parameters, $"'{path}'");
    }

    /// <summary>Loads safetensors data from a stream into <paramref name="parameters"/>.</summary>
    public static void Load<T>(Stream stream, IReadOnlyList<ParameterInfo> layout, Span<T> parameters) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(stream);
        SafetensorsFile file;
        try
        {
            file = SafetensorsFile.Read(stream);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Cannot load the safetensors stream: {e.Message} The model's parameters were not changed.", e);
        }
        Load(file, layout, parameters, "the safetensors stream");
    }

    /// <summary>Saves <paramref name="parameters"/> to a file, through a temporary file renamed at the end.</summary>
    public static void Save<T>(string path, IReadOnlyList<ParameterInfo> layout, ReadOnlySpan<T> parameters) where T : unmanaged
    {
        CheckLength(layout, parameters.Length);
        SafetensorsWriter.WriteFile(path, layout, parameters);
    }

    /// <summary>Saves <paramref name="parameters"/> to a stream.</summary>
    public static void Save<T>(Stream stream, IReadOnlyList<ParameterInfo> layout, ReadOnlySpan<T> parameters) where T : unmanaged
    {
        CheckLength(layout, parameters.Length);
        SafetensorsWriter.Write(stream, layout, parameters);
    }

    private static void CheckLength(IReadOnlyList<ParameterInfo> layout, int length)
    {
        int total = layout.Sum(p => p.Length);
        if (total != length)
            throw new ArgumentException($"The layout describes {total} values but the parameter span has {length}.", "parameters");
    }
}
