using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;

namespace RnnGen.Numerics.Tests;

/// <summary>
/// The one-call TrainStep against two PyTorch training steps (forward, MSE, backward, clip_grad_norm_(1.0), Adam lr 0.01)
/// on the same sequence: losses, gradient norms and the parameters after each step (tests/reference/data/train_*.safetensors).
/// </summary>
public class TrainStepParityTests
{
    [Theory]
    [InlineData("lstm_c2", "Double", 1e-9)]
    [InlineData("gru_c3", "Double", 1e-9)]
    [InlineData("lstm_c2", "Float", 1e-4)]
    [InlineData("gru_c3", "Float", 1e-4)]
    public void TwoTrainingStepsMatchPyTorch(string name, string suffix, double tolerance)
    {
        if (suffix == "Double") Run<double>(name, suffix, tolerance);
        else Run<float>(name, suffix, tolerance);
    }

    private static void Run<T>(string name, string suffix, double tolerance) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var reference = new ReferenceCase(name);
        SafetensorsFile expected = SafetensorsFile.Read(Path.Combine(ReferenceCase.Folder, $"train_{name}.safetensors"));
        IRecurrentModel<T> model = PyTorchParityTests.Create<T>(name, suffix);
        model.LoadSafetensors(reference.WeightsPath);
        Scenario s = reference.Scenarios[2];
        var optimizer = new Adam<T>(model.Parameters.Length, learningRate: 0.01);
        T[] input = Norms.From<T>(s.Input);
        T[] target = Norms.From<T>(expected["target"].ToDoubleArray());
        for (int step = 1; step <= 2; step++)
        {
            PyTorchParityTests.Seed(model, s);
            T loss = model.TrainStep(input, target, optimizer, LossFunction.MeanSquaredError, T.One);
            double expectedLoss = expected[$"loss{step}"].ToDoubleArray()[0];
            Assert.True(System.Math.Abs(double.CreateChecked(loss) - expectedLoss) <= tolerance * expectedLoss, $"step {step}: loss {loss} vs {expectedLoss}");
            var errors = new List<string>();
            foreach (ParameterInfo p in model.ParameterLayout)
            {
                double error = Norms.RelativeError(Norms.ToDouble<T>(model.Parameter(p.Name)), expected[$"step{step}.{p.Name}"].ToDoubleArray());
                if (!(error <= tolerance)) errors.Add($"{p.Name}: {error:e2}");
            }
            Assert.True(errors.Count == 0, $"after step {step}: " + string.Join(", ", errors));
        }
    }
}
