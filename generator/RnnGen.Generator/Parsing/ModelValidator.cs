using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using RnnGen.Generator.Diagnostics;
using RnnGen.Generator.Infrastructure;
using RnnGen.Generator.Model;

namespace RnnGen.Generator.Parsing;

/// <summary>
/// Checks a <see cref="ModelDeclaration"/> and resolves it into a <see cref="ModelSpec"/>: sizes chained from layer
/// to layer, defaults applied, PyTorch tensor names chosen. Pure: values in, values out.
/// </summary>
internal static class ModelValidator
{
    /// <summary>Parameter and state values above this are refused (offsets stay well inside <see cref="int"/>).</summary>
    public const long MaxValues = 1L << 28;

    /// <summary>A single weight matrix above this many elements is refused (a likely typo in a size).</summary>
    public const long MaxMatrix = 64L * 1024 * 1024;

    private static readonly Regex ModulePath = new(@"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*\z", RegexOptions.CultureInvariant);

    /// <summary>Validates and resolves <paramref name="model"/>; <paramref name="token"/> is checked in every loop over user input.</summary>
    public static ParseResult Validate(ModelDeclaration model, CancellationToken token)
    {
        var diagnostics = new List<DiagnosticInfo>();
        string name = model.Type.ModelName;

        CheckPositive(model.InputSize, "inputSize", diagnostics);
        if (model.SequenceLength is { } sequenceLength)
            CheckPositive(sequenceLength, "SequenceLength", diagnostics);
        if (model.Weights is { } weights && (weights.Value is null || weights.Value.Trim().Length == 0))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WeightsFileNotFound, weights.Location, weights.Value ?? "null", "an empty path names no file"));
        if (model.RestState is { Value: true } restState && model.Weights is null)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.RestStateWithoutWeights, restState.Location));
        if (model.ElementType is { Value: not ("float" or "double") } elementType)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedElementType, elementType.Location, elementType.Value));

        var recurrent = model.Layers.Where(l => IsRecurrent(l.Kind)).ToList();
        var dense = model.Layers.Where(l => l.Kind == LayerKind.Dense).ToList();
        var embeddings = model.Layers.Where(l => l.Kind == LayerKind.Embedding).ToList();
        foreach (LayerDeclaration extra in embeddings.Skip(1))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MisplacedEmbedding, extra.Attribute, "A model has at most one [Embedding]: remove this one"));
        if (embeddings.Count > 0 && !ReferenceEquals(model.Layers[0], embeddings[0]))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MisplacedEmbedding, embeddings[0].Attribute, "[Embedding] must come first, before the recurrent layers"));
        if (recurrent.Count == 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoRecurrentLayer, model.ModelAttribute, name));

        for (int i = 0; i < model.Layers.Count; i++)
        {
            token.ThrowIfCancellationRequested();
            LayerDeclaration layer = model.Layers[i];
            CheckPositive(layer.Size, layer.Kind switch
            {
                LayerKind.Dense => "The Dense layer's outputSize",
                LayerKind.Embedding => "The Embedding layer's vocabularySize",
                _ => $"The {layer.Kind} layer's hiddenSize",
            }, diagnostics);
            if (layer.Dropout is { } dropout && !(dropout.Value >= 0 && dropout.Value < 1))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DropoutOutOfRange, dropout.Location, dropout.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
            CheckActivation(layer, diagnostics);
            if (layer.Module is { } module && (module.Value is null || !ModulePath.IsMatch(module.Value)))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidModuleName, module.Location, module.Value ?? "null"));
            if (layer.Kind == LayerKind.Dense)
            {
                LayerDeclaration? later = model.Layers.Skip(i + 1).FirstOrDefault(l => IsRecurrent(l.Kind));
                if (later is not null)
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DenseBeforeRecurrent, layer.Attribute, later.Kind));
            }
        }
        if (diagnostics.Count > 0)
            return new ParseResult(null, diagnostics.ToEquatableArray());

        ModelSpec spec = Resolve(model, recurrent, dense, embeddings.FirstOrDefault());
        CheckSize(spec, model, diagnostics);
        if (diagnostics.Count > 0)
            return new ParseResult(null, diagnostics.ToEquatableArray());   // sizes too large to lay out
        CheckMemberConflicts(spec, model, diagnostics, token);
        CheckLikelyMistakes(spec, dense, diagnostics);
        CheckNames(spec, recurrent, dense, embeddings.FirstOrDefault(), diagnostics);
        bool errors = diagnostics.Any(d => DiagnosticDescriptors.ById(d.Id).DefaultSeverity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
        return errors
            ? new ParseResult(null, diagnostics.ToEquatableArray())
            : new ParseResult(spec, diagnostics.ToEquatableArray(), model.Weights?.Location);
    }

    private static bool IsRecurrent(LayerKind kind) => kind is LayerKind.Lstm or LayerKind.Gru or LayerKind.SimpleRnn;

    private static ModelSpec Resolve(ModelDeclaration model, List<LayerDeclaration> recurrent, List<LayerDeclaration> dense, LayerDeclaration? embedding)
    {
        var layers = new List<RecurrentLayerSpec>();
        int input = model.InputSize.Value;
        foreach (LayerDeclaration layer in recurrent)
        {
            string module = layer.Module?.Value ?? "rnn";
            int moduleLayer = layers.Count(l => l.Module == module);
            CellKind cell = layer.Kind switch { LayerKind.Lstm => CellKind.Lstm, LayerKind.Gru => CellKind.Gru, _ => CellKind.SimpleRnn };
            var activation = (Activation)(layer.Activation?.Value ?? (int)Activation.Tanh);
            layers.Add(new RecurrentLayerSpec(layers.Count, cell, input, layer.Size.Value, layer.Bias, activation, layer.ResetAfter, module, moduleLayer, layer.Dropout?.Value ?? 0));
            input = layer.Size.Value;
        }
        var head = new List<DenseLayerSpec>();
        foreach (LayerDeclaration layer in dense)
        {
            string module = layer.Module?.Value ?? (dense.Count == 1 ? "head" : $"head.{head.Count}");
            var activation = (Activation)(layer.Activation?.Value ?? (int)Activation.None);
            head.Add(new DenseLayerSpec(head.Count, input, layer.Size.Value, layer.Bias, activation, module));
            input = layer.Size.Value;
        }
        return new ModelSpec(model.Type, model.ElementType?.Value == "double", model.InputSize.Value,
            model.SequenceLength?.Value ?? 64, layers.ToEquatableArray(), head.ToEquatableArray(),
            embedding is null ? null : new EmbeddingSpec(embedding.Size.Value, embedding.Module?.Value ?? "embedding"),
            model.Weights?.Value, model.RestState?.Value ?? false, model.FastActivations?.Value ?? false);
    }

    private static void CheckPositive(AttributeValue<int> value, string what, List<DiagnosticInfo> diagnostics)
    {
        if (value.Value <= 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, value.Location, what, value.Value));
    }

    private static void CheckActivation(LayerDeclaration layer, List<DiagnosticInfo> diagnostics)
    {
        if (layer.Activation is not { } activation) return;
        if (!Enum.IsDefined(typeof(Activation), activation.Value))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownActivation, activation.Location, activation.Value));
        else if (layer.Kind == LayerKind.SimpleRnn && (Activation)activation.Value is not (Activation.Tanh or Activation.Relu))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedRecurrentActivation, activation.Location, (Activation)activation.Value));
    }

    private static void CheckNames(ModelSpec spec, List<LayerDeclaration> recurrent, List<LayerDeclaration> dense, LayerDeclaration? embedding, List<DiagnosticInfo> diagnostics)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var embeddingTensor = spec.Embedding is null ? [] : new[] { (Name: spec.Embedding.WeightName, Declaration: embedding!) };
        var tensors = embeddingTensor.Concat(spec.Layers.Select((l, i) => (Name: l.WeightIhName, Declaration: recurrent[i])))
            .Concat(spec.Head.Select((d, i) => (Name: d.WeightName, Declaration: dense[i])));
        foreach (var (tensor, declaration) in tensors)
            if (!seen.Add(tensor))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateTensorName, declaration.Module?.Location ?? declaration.Attribute, tensor));
    }

    private static void CheckMemberConflicts(ModelSpec spec, ModelDeclaration model, List<DiagnosticInfo> diagnostics, CancellationToken token)
    {
        var emitted = new HashSet<string>(Emit.EmittedMembers.Of(spec), StringComparer.Ordinal);
        if (emitted.Contains(spec.Type.ModelName))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassNameTaken, model.ModelAttribute, spec.Type.ModelName));
        foreach (UserMember member in model.Members)
        {
            token.ThrowIfCancellationRequested();
            if (emitted.Contains(member.Name) && !(member.IsMethod && Emit.EmittedMembers.OverloadableMethods.Contains(member.Name)))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberConflict, member.Location, spec.Type.ModelName, member.Name));
        }
    }

    /// <summary>Legal but almost certainly wrong: warnings.</summary>
    private static void CheckLikelyMistakes(ModelSpec spec, List<LayerDeclaration> dense, List<DiagnosticInfo> diagnostics)
    {
        foreach (DenseLayerSpec layer in spec.Head)
            if (layer.Activation == Activation.Softmax && layer.OutputSize == 1)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SoftmaxOfOne, dense[layer.Index].Activation?.Location ?? dense[layer.Index].Attribute));
    }

    /// <summary>
    /// Refuses sizes whose arrays would not fit: parameters and state, one weight matrix, and the training buffers
    /// (SequenceLength × the values one step records). Counted in double, so no size can overflow the check itself.
    /// </summary>
    private static void CheckSize(ModelSpec spec, ModelDeclaration model, List<DiagnosticInfo> diagnostics)
    {
        double values = 0, largest = 0, perStep = spec.InputSize, widest = spec.InputSize;
        foreach (RecurrentLayerSpec layer in spec.Layers)
        {
            double rows = (double)layer.Cell.GateCount() * layer.HiddenSize;
            values += rows * ((double)layer.InputSize + layer.HiddenSize + 2) + 2.0 * layer.HiddenSize;
            largest = Math.Max(largest, rows * Math.Max(layer.InputSize, layer.HiddenSize));
            perStep += 8.0 * layer.HiddenSize;
            widest = Math.Max(widest, layer.HiddenSize);
        }
        foreach (DenseLayerSpec dense in spec.Head)
        {
            values += (double)dense.OutputSize * ((double)dense.InputSize + 1);
            largest = Math.Max(largest, (double)dense.OutputSize * dense.InputSize);
            perStep += dense.OutputSize;
            widest = Math.Max(widest, dense.OutputSize);
        }
        if (spec.Embedding is { } embedding)
        {
            values += (double)embedding.Vocabulary * spec.InputSize;
            largest = Math.Max(largest, (double)embedding.Vocabulary * spec.InputSize);
        }
        // The largest training buffer (the per-step records, or the gradients between layers) must fit one array.
        double training = (double)spec.SequenceLength * Math.Max(perStep, widest);
        if (values > MaxValues)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ModelTooLarge, model.ModelAttribute, spec.Type.ModelName, values.ToString("0", System.Globalization.CultureInfo.InvariantCulture), MaxValues));
        else if (largest > MaxMatrix)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ModelTooLarge, model.ModelAttribute, spec.Type.ModelName, largest.ToString("0", System.Globalization.CultureInfo.InvariantCulture), MaxMatrix));
        else if (training > int.MaxValue)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ModelTooLarge, model.ModelAttribute, spec.Type.ModelName,
                training.ToString("0", System.Globalization.CultureInfo.InvariantCulture) + " training-buffer", int.MaxValue));
    }
}
