using System.Collections.Generic;
using System.Linq;
using RnnGen.Generator.Model;

namespace RnnGen.Generator.Emit;

/// <summary>
/// The names the emitter declares in the model class, so a user member of the same name becomes a clear diagnostic
/// (RNNG0005) instead of a CS0102 inside generated code. A test parses generated files to keep this list complete.
/// </summary>
internal static class EmittedMembers
{
    /// <summary>Public methods a user may overload with other parameters (only these are allowed to share a name).</summary>
    public static readonly HashSet<string> OverloadableMethods = new()
    {
        "Step", "Forward", "ResetState", "Hidden", "Cell", "Parameter", "LoadSafetensors", "SaveSafetensors", "HiddenSize",
        "ForwardTraining", "Backward", "Gradient", "ZeroGradients", "InitialHiddenGradient", "InitialCellGradient",
        "TrainStep", "InitializeParameters", "SeedDropout", "StepBatch", "ForwardBatch",
    };

    private static readonly string[] Always =
    [
        "InputSize", "OutputSize", "ParameterCount", "LayerCount", "SequenceLength", "ScratchLength", "s_parameterLayout",
        "_parameters", "_state", "CurrentState", "StepCore", "ParameterLayout", "Parameters", "Locate", "Architecture",
        "State", "StateValues", "StepTraceLength", "WidestVector", "BackwardScratchLength", "_training", "_gradients",
        "TrainingBuffers", "Training", "RecordedSteps", "StepRecord", "Gradients", "FinishTrainStep", "Bool",
        "_packed", "_packedStale", "PackedLength", "ProjectionLength", "StepScratchLength", "TileSteps", "SequenceScratchLength",
        "ParametersChanged", "PackWeights", "StepPacked", "StepRecordPacked", "ForwardTrainingPacked", "ForwardPacked", "t_stepScratch", "t_sequenceScratch", "StepScratch", "SequenceScratch",
    ];

    public static IEnumerable<string> Of(ModelSpec spec)
    {
        var names = new List<string>(Always);
        names.AddRange(OverloadableMethods);
        names.AddRange(ParameterLayout.Of(spec).Select(t => t.OffsetConstant));
        names.AddRange(TrainingLayout.Of(spec).Select(s => s.Constant));
        foreach (RecurrentLayerSpec layer in spec.Layers)
        {
            string p = $"Layer{layer.Index}";
            names.AddRange(new[] { p, p + "Gates", p + "ResetUpdate", p + "CandidateInput", p + "CandidateHidden", p + "PreActivation",
                p + "Backward", p + "BackwardCandidate" });
        }
        var packed = new PackedModel(spec);
        foreach (PackedLayer? layer in packed.Layers)
        {
            if (layer is null) continue;
            string p = $"Layer{layer.Layer.Index}";
            names.AddRange(new[] { layer.Constant, p + "Project", p + "RecurRows", p + "Cell", p + "CellTail", p + "TraceGates" });
            names.AddRange(layer.Passes.SelectMany(pass => new[] { $"{p}Pass{pass.Index}", $"{p}Pass{pass.Index}Pair", $"{p}Pass{pass.Index}Quad" }));
        }
        if (spec.Head.Count > 0) names.AddRange(new[] { "Head", "HeadBackward", "HeadPacked" });
        foreach (DenseLayerSpec dense in spec.Head)
            names.AddRange(new[] { $"Dense{dense.Index}", $"Dense{dense.Index}Backward", $"Dense{dense.Index}Packed", $"PackedDense{dense.Index}" });
        if (spec.Embedding is not null) names.AddRange(new[] { "VocabularySize", "Embed" });
        if (TrainingLayout.HasDropout(spec)) names.AddRange(new[] { "_dropoutState", "ApplyDropoutMasks" });
        if (spec.WeightsFile is not null) names.AddRange(new[] { "CompiledParametersPacked", "CompiledParameters" });
        if (spec.RestState) names.AddRange(new[] { "_restState", "_hasRestState", "_stateReady", "OwnState", "RestState" });
        return names;
    }
}
