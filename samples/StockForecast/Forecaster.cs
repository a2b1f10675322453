// Features, the chronological split, the training loop (written once for every declared model through
// IRecurrentModel<float>) and the forecasts.
using System;
using System.Collections.Generic;
using System.Linq;
using RnnGen;

namespace StockForecast;

/// <summary>
/// The windows a model reads. Day i has a row of features that compare it with day i − 1 (so row 0 is unused); the
/// sample that ends on day i reads rows i − W + 1 … i and has as target the log return from day i to day i + 1.
/// Features and target are z-scored with means and standard deviations of the training period only.
/// </summary>
public sealed class Dataset
{
    public required PriceSeries Series { get; init; }
    public required string[] FeatureNames { get; init; }
    public required int Window { get; init; }

    /// <summary>Normalised features, row-major [days, FeatureCount].</summary>
    public required float[] Inputs { get; init; }

    /// <summary>Normalised target of the sample that ends on day i (the log return i → i + 1); the last day has none.</summary>
    public required float[] Targets { get; init; }

    public required double[] FeatureMean { get; init; }
    public required double[] FeatureStd { get; init; }
    public required double TargetMean { get; init; }
    public required double TargetStd { get; init; }

    /// <summary>The last day of each sample's window, chronologically split 70 / 15 / 15.</summary>
    public required int[] Train { get; init; }
    public required int[] Validation { get; init; }
    public required int[] Test { get; init; }

    public int FeatureCount => FeatureNames.Length;

    /// <summary>The inputs of the sample that ends on <paramref name="end"/>.</summary>
    public ReadOnlySpan<float> WindowInputs(int end) => Inputs.AsSpan((end - Window + 1) * FeatureCount, Window * FeatureCount);

    /// <summary>The close that a normalised predicted return gives for the day after <paramref name="end"/>.</summary>
    public double CloseFromPrediction(int end, float normalisedReturn) =>
        Series.Close[end] * Math.Exp(TargetMean + TargetStd * normalisedReturn);

    /// <summary>The log return that a normalised model output stands for.</summary>
    public double ReturnFromPrediction(float normalisedReturn) => TargetMean + TargetStd * normalisedReturn;

    public static Dataset Create(PriceSeries series, int window)
    {
        int n = series.Count;
        int samples = n - 1 - window;               // ends window … n − 2
        const int MinimumSamples = 20;
        if (samples < MinimumSamples)
            throw new DataException(
                $"{series.Source}: {n} rows are too few for a {window}-step window; the chronological split needs at least " +
                $"{window + 1 + MinimumSamples} rows (or a shorter --window).");

        string[] names = series.HasOhlcv
            ? ["ln(open/prev close)", "ln(high/prev close)", "ln(low/prev close)", "ln(close/prev close)", "ln(volume/prev volume)"]
            : ["ln(price/prev price)"];
        int f = names.Length;

        var raw = new double[n * f];
        for (int i = 1; i < n; i++)
        {
            double previous = series.Close[i - 1];
            if (series.HasOhlcv)
            {
                raw[i * f + 0] = Math.Log(series.Open![i] / previous);
                raw[i * f + 1] = Math.Log(series.High![i] / previous);
                raw[i * f + 2] = Math.Log(series.Low![i] / previous);
                raw[i * f + 3] = Math.Log(series.Close[i] / previous);
                raw[i * f + 4] = Math.Log(series.Volume![i] / series.Volume[i - 1]);
            }
            else
            {
                raw[i] = Math.Log(series.Close[i] / previous);
            }
        }

        int train = (int)(0.70 * samples), validation = (int)(0.15 * samples), test = samples - train - validation;
        int[] ends = Enumerable.Range(window, samples).ToArray();
        int[] trainEnds = ends[..train], validationEnds = ends[train..(train + validation)], testEnds = ends[(train + validation)..];

        // Statistics of the training period only: the rows that training windows read, and the training targets.
        int lastTrainRow = trainEnds[^1];
        var mean = new double[f];
        var std = new double[f];
        for (int j = 0; j < f; j++)
        {
            var column = Enumerable.Range(1, lastTrainRow).Select(i => raw[i * f + j]).ToArray();
            (mean[j], std[j]) = MeanStd(column);
        }
        var trainTargets = trainEnds.Select(i => Math.Log(series.Close[i + 1] / series.Close[i])).ToArray();
        var (targetMean, targetStd) = MeanStd(trainTargets);

        var inputs = new float[n * f];
        for (int i = 1; i < n; i++)
            for (int j = 0; j < f; j++)
                inputs[i * f + j] = (float)((raw[i * f + j] - mean[j]) / std[j]);
        var targets = new float[n];
        for (int i = 0; i < n - 1; i++)
            targets[i] = (float)((Math.Log(series.Close[i + 1] / series.Close[i]) - targetMean) / targetStd);

        return new Dataset
        {
            Series = series, FeatureNames = names, Window = window, Inputs = inputs, Targets = targets,
            FeatureMean = mean, FeatureStd = std, TargetMean = targetMean, TargetStd = targetStd,
            Train = trainEnds, Validation = validationEnds, Test = testEnds,
        };
    }

    private static (double Mean, double Std) MeanStd(double[] values)
    {
        double mean = values.Average();
        double variance = values.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, values.Length - 1);
        double std = Math.Sqrt(variance);
        return (mean, std > 1e-12 ? std : 1.0);
    }
}

/// <summary>Training hyper-parameters (the fixed ones are explained in the README).</summary>
public sealed record TrainingSettings(int Epochs, int Seed, int BatchSize, double LearningRate, float MaxGradientNorm);

/// <summary>Per-epoch losses: mean squared error on the normalised next-day return (1.0 = as good as predicting the mean).</summary>
public sealed record EpochResult(int Epoch, double TrainLoss, double ValidationLoss, bool Best);

/// <summary>Receives progress; the console shows it as a progress bar.</summary>
public interface ITrainingProgress
{
    void Batch(int epoch, int batchesDone, double runningLoss);
    void Epoch(EpochResult result);
}

public static class Forecaster
{
    /// <summary>
    /// Trains on independent windows: each sample starts from a zero state, the model reads its window, and only the
    /// output of the last step is compared with the target (mean squared error). The gradients of a mini-batch of
    /// windows are summed by <c>Backward</c> (it adds into <c>Gradients</c>), then clipped and applied by Adam. After
    /// every epoch the validation loss is measured; the parameters of the best epoch are kept.
    /// </summary>
    public static List<EpochResult> Train(IRecurrentModel<float> model, Dataset data, TrainingSettings settings, ITrainingProgress progress)
    {
        int window = data.Window;
        var optimizer = new Adam<float>(model.Parameters.Length, learningRate: settings.LearningRate);
        var random = new Random(settings.Seed);
        var order = (int[])data.Train.Clone();
        var outputs = new float[window];
        var outputGradients = new float[window];
        var best = model.Parameters.ToArray();
        double bestLoss = double.PositiveInfinity;
        var history = new List<EpochResult>();

        for (int epoch = 1; epoch <= settings.Epochs; epoch++)
        {
            random.Shuffle(order);
            double epochLoss = 0;
            int seen = 0, batches = 0;
            for (int start = 0; start < order.Length; start += settings.BatchSize)
            {
                int count = Math.Min(settings.BatchSize, order.Length - start);
                model.ZeroGradients();
                for (int k = 0; k < count; k++)
                {
                    int end = order[start + k];
                    model.ResetState();
                    model.ForwardTraining(data.WindowInputs(end), outputs);
                    float error = outputs[window - 1] - data.Targets[end];
                    epochLoss += error * error;
                    outputGradients[window - 1] = 2f * error / count;   // d(mean over the batch of error²)/d output
                    model.Backward(outputGradients);
                }
                GradientClipping.ClipByGlobalNorm(model.Gradients, settings.MaxGradientNorm);
                optimizer.Step(model.Parameters, model.Gradients);
                seen += count;
                batches++;
                progress.Batch(epoch, batches, epochLoss / seen);
            }

            double validationLoss = Loss(model, data, data.Validation);
            bool improved = validationLoss < bestLoss;
            if (improved)
            {
                bestLoss = validationLoss;
                model.Parameters.CopyTo(best);
            }
            var result = new EpochResult(epoch, epochLoss / seen, validationLoss, improved);
            history.Add(result);
            progress.Epoch(result);
        }
        best.CopyTo(model.Parameters);
        return history;
    }

    /// <summary>The model's normalised output for each sample (each window from a zero state, as in training).</summary>
    public static float[] Predict(IRecurrentModel<float> model, Dataset data, int[] ends)
    {
        var outputs = new float[data.Window];
        var predictions = new float[ends.Length];
        for (int k = 0; k < ends.Length; k++)
        {
            model.ResetState();
            model.Forward(data.WindowInputs(ends[k]), outputs);
            predictions[k] = outputs[^1];
        }
        return predictions;
    }

    /// <summary>Mean squared error on the normalised targets.</summary>
    public static double Loss(IRecurrentModel<float> model, Dataset data, int[] ends)
    {
        var predictions = Predict(model, data, ends);
        double sum = 0;
        for (int k = 0; k < ends.Length; k++)
        {
            double e = predictions[k] - data.Targets[ends[k]];
            sum += e * e;
        }
        return sum / ends.Length;
    }
}
