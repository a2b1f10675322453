using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using RnnGen.Generator.Diagnostics;
using RnnGen.Generator.Emit;
using RnnGen.Generator.Infrastructure;
using RnnGen.Generator.Model;

namespace RnnGen.Generator.Weights;

/// <summary>A problem with a model's weights file, without location (attached later, so moving code does not re-bind).</summary>
internal sealed record WeightsProblem(string Id, EquatableArray<string> Arguments);

/// <summary>A model with its compiled-in parameters (PyTorch layout, as double) when it names a valid weights file.</summary>
internal sealed record BoundModel(ModelSpec Spec, EquatableArray<double>? Parameters, EquatableArray<WeightsProblem> Problems);

/// <summary>
/// Matches a model's <c>Weights</c> file among the AdditionalFiles and checks every tensor against the model's layout:
/// a missing, extra, wrongly shaped or wrongly typed tensor is a problem naming the file and the tensor; all of them
/// are reported, and nothing is compiled in unless there are none.
/// </summary>
internal static class WeightsBinder
{
    public static BoundModel Bind(ModelSpec spec, ImmutableArray<WeightsFile> files, CancellationToken token)
    {
        if (spec.WeightsFile is not { } wanted) return new BoundModel(spec, null, EquatableArray<WeightsProblem>.Empty);
        var problems = new List<WeightsProblem>();
        void Problem(DiagnosticDescriptorId id, params string[] arguments) => problems.Add(new WeightsProblem(id.Value, arguments.ToEquatableArray()));

        string normalized = Normalize(wanted);
        var matches = files.Where(f => Normalize(f.Path) == normalized || Normalize(f.Path).EndsWith("/" + normalized.TrimStart('/'), StringComparison.Ordinal)).ToList();
        if (matches.Count == 0)
        {
            Problem(DiagnosticDescriptors.WeightsFileNotFound, wanted,
                $"no AdditionalFiles item ends with that path; add <AdditionalFiles Include=\"{wanted}\" /> to the project file");
            return Fail();
        }
        if (matches.Count > 1)
        {
            Problem(DiagnosticDescriptors.WeightsFileNotFound, wanted, "it matches several AdditionalFiles (" + string.Join(", ", matches.Select(m => m.Path)) + "): give more of the path");
            return Fail();
        }
        WeightsFile file = matches[0];
        if (file.Error is { } error)
        {
            Problem(DiagnosticDescriptors.InvalidWeightsFile, wanted, error);
            return Fail();
        }

        var byName = file.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        IReadOnlyList<Tensor> layout = ParameterLayout.Of(spec);
        var values = new double[layout.Sum(t => t.Length)];
        foreach (Tensor expected in layout)
        {
            token.ThrowIfCancellationRequested();
            if (!byName.TryGetValue(expected.Name, out WeightsTensor? tensor))
                Problem(DiagnosticDescriptors.MissingTensor, wanted, expected.Name, expected.ShapeText, Owner(spec, expected.Name));
            else if (!tensor.Shape.SequenceEqual(expected.Shape))
                Problem(DiagnosticDescriptors.TensorShapeMismatch, wanted, expected.Name, tensor.ShapeText, expected.ShapeText);
            else if (tensor.DType is not ("F32" or "F64"))
                Problem(DiagnosticDescriptors.TensorTypeUnsupported, wanted, expected.Name, tensor.DType);
            else
                for (int i = 0; i < expected.Length; i++) values[expected.Offset + i] = tensor.Values[i];
        }
        var names = new HashSet<string>(layout.Select(t => t.Name), StringComparer.Ordinal);
        foreach (WeightsTensor extra in file.Tensors.Where(t => !names.Contains(t.Name)))
            Problem(DiagnosticDescriptors.ExtraTensor, wanted, extra.Name, extra.ShapeText, string.Join(", ", layout.Select(t => t.Name)));
        return problems.Count > 0 ? Fail() : new BoundModel(spec, values.ToEquatableArray(), EquatableArray<WeightsProblem>.Empty);

        BoundModel Fail() => new(spec, null, problems.ToEquatableArray());
    }

    /// <summary>Which layer a tensor belongs to, for the message ("recurrent layer 1 (LSTM)").</summary>
    private static string Owner(ModelSpec spec, string tensor)
    {
        if (spec.Embedding is { } embedding && embedding.WeightName == tensor) return "the embedding layer";
        foreach (RecurrentLayerSpec layer in spec.Layers)
            if (tensor == layer.WeightIhName || tensor == layer.WeightHhName || tensor == layer.BiasIhName || tensor == layer.BiasHhName)
                return $"recurrent layer {layer.Index} ({layer.Cell.DisplayName()})";
        foreach (DenseLayerSpec dense in spec.Head)
            if (tensor == dense.WeightName || tensor == dense.BiasName) return $"Dense layer {dense.Index}";
        return "the model";
    }

    private static string Normalize(string path) => path.Replace('\\', '/');
}

/// <summary>A diagnostic descriptor's ID, so problems can name a descriptor without holding it.</summary>
internal readonly record struct DiagnosticDescriptorId(string Value)
{
    public static implicit operator DiagnosticDescriptorId(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor) => new(descriptor.Id);
}
