using System;
using System.Linq;
using RnnGen.Numerics.Tests.Models;
using Xunit;

namespace RnnGen.Numerics.Tests;

/// <summary>
/// The training forward runs the recurrent layers on the same kernels as inference (the packed ones where AVX2 runs,
/// the portable ones elsewhere): after a window, ForwardTraining leaves exactly the state Forward leaves, bit for bit,
/// also where a layer has no packed kernel (the reset-before GRU) and in double. Models with the fast activations
/// train exactly: their training forward is not the fast inference path. Whether the recorded gates are right is
/// checked by the gradient tests (PyTorch parity and central differences), which read them.
/// </summary>
public class TrainingForwardKernelTests
{
    [Fact]
    public void LstmTrainingForwardLeavesTheInferenceState() => SameState(new SineLstm(), steps: 32);

    [Fact]
    public void WideGruDoubleTrainingForwardLeavesTheInferenceState() => SameState(new WideGruDouble(), steps: 41);

    [Fact]
    public void StackedTrainingForwardLeavesTheInferenceState() => SameState(new WideStackFloat(), steps: 41);

    [Fact]
    public void MixedPackedAndPortableLayersLeaveTheInferenceState() => SameState(new CheckLstmGruRb(), steps: 8);

    /// <summary>
    /// Token input records step by step, vector input layer by layer over the window (input projections as one product):
    /// the same embedded vectors give the same bits, outputs and trace, and the same dropout masks (drawn in step order).
    /// </summary>
    [Fact]
    public void LayerByLayerAndStepByStepTrainingForwardsAgree()
    {
        var model = new EmbeddingDropoutStack();
        model.InitializeParameters(seed: 6);
        int[] tokens = Enumerable.Range(0, 37).Select(i => i * 7 % 11).ToArray();
        float[] embedded = tokens.SelectMany(token => model.Parameter("embedding.weight").Slice(token * 6, 6).ToArray()).ToArray();
        var byStep = new float[37 * 11];
        var byLayer = new float[37 * 11];

        model.SeedDropout(5);
        model.ForwardTraining(tokens, byStep);
        float[] stepState = [.. model.Hidden(0), .. model.Cell(0), .. model.Hidden(1)];
        var stepGradients = Gradients(model, byStep);

        model.ResetState();
        model.SeedDropout(5);
        model.ForwardTraining(embedded, byLayer);
        Assert.Equal(byStep, byLayer);
        float[] layerState = [.. model.Hidden(0), .. model.Cell(0), .. model.Hidden(1)];
        Assert.Equal(stepState, layerState);
        Assert.Equal(stepGradients, Gradients(model, byLayer));
    }

    /// <summary>The weight gradients (not the embedding's, which only the token input trains) from dL/dy = y.</summary>
    private static float[] Gradients(EmbeddingDropoutStack model, float[] outputs)
    {
        model.ZeroGradients();
        model.Backward(outputs);
        return model.Gradients[model.Parameter("embedding.weight").Length..].ToArray();
    }

    [Fact]
    public void FastActivationsModelsTrainWithTheExactActivations()
    {
        var fast = new FastActivationsFloat();
        var exact = new ExactActivationsFloat();
        fast.InitializeParameters(seed: 4);
        fast.Parameters.CopyTo(exact.Parameters);
        float[] x = Inputs<float>(41 * FastActivationsFloat.InputSize);
        var fastOut = new float[41 * FastActivationsFloat.OutputSize];
        var exactOut = new float[fastOut.Length];
        fast.ForwardTraining(x, fastOut);
        exact.ForwardTraining(x, exactOut);
        // The exact twin's training forward may run other exact kernels (packed rather than portable): rounding apart.
        for (int i = 0; i < fastOut.Length; i++) Assert.Equal(exactOut[i], fastOut[i], 1e-6f);
        for (int layer = 0; layer < FastActivationsFloat.LayerCount; layer++)
            for (int i = 0; i < fast.HiddenSize(layer); i++) Assert.Equal(exact.Hidden(layer)[i], fast.Hidden(layer)[i], 1e-6f);
    }

    private static void SameState<T>(IRecurrentModel<T> model, int steps) where T : unmanaged, IEquatable<T>
    {
        model.InitializeParameters(seed: 3);
        T[] x = Inputs<T>(steps * model.InputSize);
        var outputs = new T[steps * model.OutputSize];

        model.ResetState();
        model.Forward(x, outputs);
        T[][] inference = StateOf(model);

        model.ResetState();
        model.ForwardTraining(x, outputs);
        Assert.Equal(inference, StateOf(model));
    }

    private static T[][] StateOf<T>(IRecurrentModel<T> model) where T : unmanaged =>
        Enumerable.Range(0, model.LayerCount).SelectMany(layer => new[] { model.Hidden(layer).ToArray(), model.Cell(layer).ToArray() }).ToArray();

    private static T[] Inputs<T>(int count) =>
        Enumerable.Range(0, count).Select(i => (T)Convert.ChangeType(Math.Sin(i * 0.61) * 1.5, typeof(T))).ToArray();
}
