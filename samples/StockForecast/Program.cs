// RnnGen sample: forecast the next day's S&P 500 close (or the next month's price of one company) with an LSTM or GRU
// that RnnGen compiles to C# and trains with backpropagation through time, and compare it with honest baselines.
using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Invocation;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using RnnGen;
using Spectre.Console;
using RnnGen.Samples;

namespace StockForecast;

public static class Program
{
    public static int Main(string[] args)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 120;   // a log or a pipe: no terminal width to follow

        var cell = new Option<string>("--cell")
        {
            Description = "Recurrent cell: lstm or gru.",
            DefaultValueFactory = _ => "lstm",
        };
        cell.AcceptOnlyFromAmong(ModelCatalog.Cells);

        var hidden = new Option<int>("--hidden")
        {
            Description = "Hidden size: 16, 32 or 64. RnnGen fixes sizes at compile time, so each (cell, size) is a class " +
                          "declared in Models.cs; add a declaration there for another size.",
            DefaultValueFactory = _ => 32,
            HelpName = "16|32|64",
        };
        hidden.Validators.Add(result =>
        {
            int value = result.GetValueOrDefault<int>();
            if (!ModelCatalog.HiddenSizes.Contains(value))
                result.AddError($"--hidden must be one of {string.Join(", ", ModelCatalog.HiddenSizes)} (the sizes declared in Models.cs); got {value}.");
        });

        var epochs = new Option<int?>("--epochs")
        {
            Description = "Passes over the training windows; the parameters of the epoch with the lowest validation loss are kept " +
                          $"[default: {Defaults.DailyEpochs}, {Defaults.MonthlyEpochs} with --symbol (fewer, shorter windows)].",
            HelpName = "count",
        };
        epochs.Validators.Add(result =>
        {
            int? value = result.GetValueOrDefault<int?>();
            if (value is < 1 or > 10_000) result.AddError($"--epochs must be between 1 and 10000; got {value}.");
        });

        var seed = new Option<int>("--seed")
        {
            Description = "Seed for the initial weights and the order of the training windows; the same seed gives the same run.",
            DefaultValueFactory = _ => 1,
            HelpName = "number",
        };

        var symbol = new Option<string?>("--symbol")
        {
            Description = "Forecast one company of the monthly stocks.csv instead of the daily S&P 500: MSFT, AMZN, IBM, GOOG or AAPL " +
                          "(monthly prices 2000-2010; close only, so the model reads 1 feature instead of 5).",
            HelpName = "MSFT|AMZN|IBM|GOOG|AAPL",
        };

        var window = new Option<int?>("--window")
        {
            Description = $"Days (or months with --symbol) the model reads before each forecast, 2 to 64 " +
                          $"[default: {Defaults.DailyWindow} days, {Defaults.MonthlyWindow} months with --symbol].",
            HelpName = "steps",
        };
        window.Validators.Add(result =>
        {
            int? value = result.GetValueOrDefault<int?>();
            if (value is < 2 or > 64) result.AddError($"--window must be between 2 and 64 (the models' SequenceLength); got {value}.");
        });

        var data = new Option<string?>("--data")
        {
            Description = "A CSV file to read instead of the embedded data: date,open,high,low,close,volume for the daily " +
                          "forecast (extra columns such as adjclose are ignored), or symbol,date,price with --symbol. Errors name the file, the line and the problem.",
            HelpName = "file.csv",
        };

        var output = new Option<string>("--out")
        {
            Description = "Folder for the chart (PNG), the trained weights (safetensors) and the normalisation (JSON).",
            DefaultValueFactory = _ => "out",
            HelpName = "folder",
        };

        var root = new RootCommand(
            "Trains an LSTM or GRU, compiled to C# by RnnGen, to forecast the next day's close of the S&P 500 (2000-2020, " +
            "embedded) from a window of past days, and compares it on the test period with the last-value and " +
            "moving-average forecasts.")
        {
            cell, hidden, epochs, seed, symbol, window, data, output,
        };
        root.SetAction(parse => Run(new RunOptions(
            parse.GetValue(cell)!, parse.GetValue(hidden), parse.GetValue(epochs), parse.GetValue(seed),
            parse.GetValue(symbol), parse.GetValue(window), parse.GetValue(data), parse.GetValue(output)!)));
        var parsed = root.Parse(args);
        if (parsed.Action is ParseErrorAction onError) onError.ShowHelp = false;   // the error and a hint, not the whole help
        int exitCode = parsed.Invoke();
        if (parsed.Errors.Count > 0) Console.Error.WriteLine("Run with --help to see the options.");
        return exitCode;
    }

    private static class Defaults
    {
        public const int DailyEpochs = 20;
        public const int MonthlyEpochs = 100;
        public const int DailyWindow = 20;
        public const int MonthlyWindow = 6;
        public const int BatchSize = 32;
        public const double LearningRate = 1e-3;
        public const float MaxGradientNorm = 1f;
    }

    private sealed record RunOptions(string Cell, int Hidden, int? Epochs, int Seed, string? Symbol, int? Window, string? Data, string Out);

    private static int Run(RunOptions options)
    {
        try
        {
            return Forecast(options);
        }
        catch (DataException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 3;
        }
    }

    private static int Forecast(RunOptions options)
    {
        bool monthly = options.Symbol is not null;
        var series = monthly ? MarketData.LoadSymbol(options.Data, options.Symbol!) : MarketData.LoadDaily(options.Data);
        int windowLength = options.Window ?? (monthly ? Defaults.MonthlyWindow : Defaults.DailyWindow);
        var dataset = Dataset.Create(series, windowLength);
        string unit = monthly ? "month" : "day";
        var model = ModelCatalog.Create(dataset.FeatureCount, options.Cell, options.Hidden);
        string cellName = options.Cell.ToUpperInvariant();
        string modelName = $"{cellName}({options.Hidden})";
        int epochCount = options.Epochs ?? (monthly ? Defaults.MonthlyEpochs : Defaults.DailyEpochs);
        var settings = new TrainingSettings(epochCount, options.Seed, Defaults.BatchSize, Defaults.LearningRate, Defaults.MaxGradientNorm);

        AnsiConsole.MarkupLineInterpolated($"[bold]RnnGen StockForecast[/]: {series.Name}, {series.Count:N0} {unit}s {series.Dates[0]:yyyy-MM-dd} … {series.Dates[^1]:yyyy-MM-dd} from {series.Source}");
        AnsiConsole.MarkupLineInterpolated($"Model     {model.GetType().Name}: {cellName}({dataset.FeatureCount} → {options.Hidden}) → Dense(1), {model.Parameters.Length:N0} parameters, code generated by RnnGen");
        AnsiConsole.MarkupLineInterpolated($"Inputs    {windowLength}-{unit} windows of {dataset.FeatureCount} feature{(dataset.FeatureCount > 1 ? "s" : "")}, z-scored with training-period statistics:");
        AnsiConsole.MarkupLineInterpolated($"          {string.Join(", ", dataset.FeatureNames)}");
        AnsiConsole.MarkupLineInterpolated($"Target    next {unit}'s log return of the close; forecast close = last close × e^(predicted return)");
        AnsiConsole.MarkupLineInterpolated($"Split     chronological, by forecast {unit}: train {Range(dataset, dataset.Train)},");
        AnsiConsole.MarkupLineInterpolated($"          validation {Range(dataset, dataset.Validation)}, test {Range(dataset, dataset.Test)}");
        AnsiConsole.MarkupLineInterpolated($"Training  Adam lr {settings.LearningRate}, batch {settings.BatchSize}, gradient norm ≤ {settings.MaxGradientNorm}, {settings.Epochs} epochs, seed {settings.Seed};");
        AnsiConsole.MarkupLineInterpolated($"          each window from a zero state, squared error on its last step");
        AnsiConsole.WriteLine();

        model.InitializeParameters(options.Seed);
        var clock = Stopwatch.StartNew();
        var history = TrainWithProgress(model, dataset, settings);
        clock.Stop();
        var best = history.Last(h => h.Best);
        double meanLoss = MeanLoss(dataset, dataset.Validation);
        AnsiConsole.MarkupLineInterpolated($"Trained in {clock.Elapsed.TotalSeconds:F1} s. Kept epoch {best.Epoch}, validation loss {best.ValidationLoss:F4}");
        AnsiConsole.MarkupLineInterpolated($"  (for reference: always forecasting the training-period mean return scores {meanLoss:F4} on validation).");
        AnsiConsole.WriteLine();

        // Forecasts on the test period, in prices.
        int[] test = dataset.Test;
        var predictions = Forecaster.Predict(model, dataset, test);
        double[] close = series.Close;
        double[] actual = test.Select(i => close[i + 1]).ToArray();
        double[] forecast = test.Select((i, k) => dataset.CloseFromPrediction(i, predictions[k])).ToArray();
        double[] lastValue = test.Select(i => close[i]).ToArray();
        // Drift: the last value grown by the mean log return of the training period (a random walk with drift).
        double[] drift = test.Select(i => close[i] * Math.Exp(dataset.TargetMean)).ToArray();
        int shortAverage = monthly ? 3 : 5, longAverage = monthly ? 6 : 20;
        double[] shortMa = test.Select(i => MovingAverage(close, i, shortAverage)).ToArray();
        double[] longMa = test.Select(i => MovingAverage(close, i, longAverage)).ToArray();

        var scores = new[]
        {
            Score($"{modelName}, RnnGen", forecast, actual),
            Score("last value", lastValue, actual),
            Score("last value + drift", drift, actual),
            Score($"{shortAverage}-{unit} moving average", shortMa, actual),
            Score($"{longAverage}-{unit} moving average", longMa, actual),
        };
        AnsiConsole.MarkupLineInterpolated($"Test period: {test.Length} forecasts of the next {unit}'s close, {series.Dates[test[0] + 1]:yyyy-MM-dd} … {series.Dates[test[^1] + 1]:yyyy-MM-dd}");
        AnsiConsole.Write(ResultsTable(scores, actual, modelName, out string verdict));
        AnsiConsole.MarkupLine(verdict);
        AnsiConsole.WriteLine();

        // Weights, normalisation and the chart.
        Directory.CreateDirectory(options.Out);
        string stem = $"{(monthly ? series.Name.ToLowerInvariant() : options.Data is null ? "sp500" : Slug(series.Name))}-{options.Cell}{options.Hidden}";
        string weights = Path.Combine(options.Out, stem + ".safetensors");
        model.SaveSafetensors(weights);
        string normalisation = Path.Combine(options.Out, stem + ".normalisation.json");
        File.WriteAllText(normalisation, JsonSerializer.Serialize(new
        {
            model = model.GetType().Name,
            window = windowLength,
            features = dataset.FeatureNames,
            featureMean = dataset.FeatureMean,
            featureStd = dataset.FeatureStd,
            targetMean = dataset.TargetMean,
            targetStd = dataset.TargetStd,
        }, new JsonSerializerOptions { WriteIndented = true }));

        var reloaded = ModelCatalog.Create(dataset.FeatureCount, options.Cell, options.Hidden);
        reloaded.LoadSafetensors(weights);
        var again = Forecaster.Predict(reloaded, dataset, test);
        float maxDifference = predictions.Zip(again, (a, b) => MathF.Abs(a - b)).Max();
        AnsiConsole.MarkupLineInterpolated($"Saved the weights to {weights} ({new FileInfo(weights).Length:N0} bytes, {model.ParameterLayout.Count} tensors: {model.ParameterLayout[0].Name}, … {model.ParameterLayout[^1].Name})");
        AnsiConsole.MarkupLineInterpolated($"  and reloaded them into a new {reloaded.GetType().Name}: its test forecasts {(maxDifference == 0 ? "are identical" : $"differ by up to {maxDifference}")} (max |Δ| = {maxDifference}).");
        AnsiConsole.MarkupLineInterpolated($"Saved the normalisation to {normalisation}");

        string chart = Path.Combine(options.Out, stem + ".png");
        Charts.Save(new ChartData(
            Title: series.Name, ModelName: modelName, Dates: test.Select(i => series.Dates[i + 1]).ToArray(),
            Actual: actual, Model: forecast, LastValue: lastValue, MovingAverage: shortMa, MovingAverageName: $"{shortAverage}-{unit} average",
            ActualReturns: test.Select(i => 100 * Math.Log(close[i + 1] / close[i])).ToArray(),
            ModelReturns: predictions.Select(p => 100 * dataset.ReturnFromPrediction(p)).ToArray(),
            History: history, MeanReturnValidationLoss: meanLoss, CloseUpLength: monthly ? 24 : 60, Unit: unit), chart);
        AnsiConsole.MarkupLineInterpolated($"Saved the chart to {chart}");
        return 0;
    }

    private static List<EpochResult> TrainWithProgress(IRecurrentModel<float> model, Dataset dataset, TrainingSettings settings)
    {
        int batchesPerEpoch = (dataset.Train.Length + settings.BatchSize - 1) / settings.BatchSize;
        List<EpochResult> history = null!;
        ProgressBar.Run(settings.Epochs * batchesPerEpoch, bar =>
            history = Forecaster.Train(model, dataset, settings, new ConsoleProgress(bar, settings.Epochs, batchesPerEpoch)));
        return history;
    }

    /// <summary>The running loss on the progress bar (on a terminal), and one line per epoch.</summary>
    private sealed class ConsoleProgress(ProgressBar? bar, int epochs, int batchesPerEpoch) : ITrainingProgress
    {
        public void Batch(int epoch, int batchesDone, double runningLoss) =>
            bar?.Update((epoch - 1) * batchesPerEpoch + batchesDone, $"epoch {epoch,3}/{epochs}  loss {runningLoss:F4}");

        public void Epoch(EpochResult r) =>
            AnsiConsole.MarkupLineInterpolated($"epoch {r.Epoch,3}  train loss {r.TrainLoss:F4}  validation loss {r.ValidationLoss:F4}{(r.Best ? "  (best so far)" : "")}");
    }

    private sealed record ForecastScore(string Name, double Rmse, double Mae, double[] Predictions);

    private static ForecastScore Score(string name, double[] predicted, double[] actual)
    {
        double squared = 0, absolute = 0;
        for (int k = 0; k < actual.Length; k++)
        {
            double e = predicted[k] - actual[k];
            squared += e * e;
            absolute += Math.Abs(e);
        }
        return new ForecastScore(name, Math.Sqrt(squared / actual.Length), absolute / actual.Length, predicted);
    }

    /// <summary>
    /// The scores, and for each baseline whether the model beats it: lower RMSE and lower MAE, with a squared-error
    /// difference that a Diebold–Mariano test finds significant at 5 %. The verdict says it plainly in one line.
    /// </summary>
    private static Table ResultsTable(ForecastScore[] scores, double[] actual, string modelName, out string verdict)
    {
        var model = scores[0];
        var table = new Table();
        table.AddColumn("forecast").AddColumn(new TableColumn("RMSE").RightAligned()).AddColumn(new TableColumn("MAE").RightAligned())
             .AddColumn(new TableColumn($"{modelName} RMSE vs it").RightAligned()).AddColumn(new TableColumn("MAE vs it").RightAligned())
             .AddColumn(new TableColumn("DM (p)").RightAligned()).AddColumn($"{modelName} beats it?");
        table.AddRow(Markup.Escape(model.Name), model.Rmse.ToString("F2"), model.Mae.ToString("F2"), "", "", "", "");
        var beaten = new List<string>();
        foreach (var baseline in scores[1..])
        {
            var (dm, p) = DieboldMariano(model.Predictions, baseline.Predictions, actual);
            bool lower = model.Rmse < baseline.Rmse && model.Mae < baseline.Mae;
            bool higher = model.Rmse > baseline.Rmse && model.Mae > baseline.Mae;
            string outcome = lower && p < 0.05 ? "[green]yes[/]"
                : lower ? "no: lower errors, not significant"
                : higher && p < 0.05 ? "[red]no: significantly worse[/]"
                : higher ? "no: worse, not significant"
                : "no: mixed";
            if (lower && p < 0.05) beaten.Add(baseline.Name);
            table.AddRow(Markup.Escape(baseline.Name), baseline.Rmse.ToString("F2"), baseline.Mae.ToString("F2"),
                Percent(model.Rmse, baseline.Rmse), Percent(model.Mae, baseline.Mae), $"{dm:F2} ({p:F3})", outcome);
        }
        string name = Markup.Escape(modelName);
        verdict = beaten.Contains(scores[1].Name)
            ? $"[green]Verdict:[/] in this run the {name} beats the last-value forecast ({beaten.Count} of {scores.Length - 1} baselines beaten)."
            : $"[yellow]Verdict:[/] the {name} does [bold]not[/] beat the last-value forecast; it beats {beaten.Count} of the {scores.Length - 1} baselines.";
        return table;
    }

    private static string Percent(double model, double baseline) => $"{(model / baseline - 1) * 100:+0.00;-0.00;0.00} %";

    /// <summary>
    /// Diebold–Mariano test of equal squared error for one-step forecasts: d = e₁² − e₂², DM = mean(d) / √(var(d) / n),
    /// two-sided p from the normal distribution. Negative DM: the first forecast has the smaller errors.
    /// </summary>
    private static (double Dm, double P) DieboldMariano(double[] first, double[] second, double[] actual)
    {
        int n = actual.Length;
        var d = new double[n];
        for (int k = 0; k < n; k++)
        {
            double e1 = first[k] - actual[k], e2 = second[k] - actual[k];
            d[k] = e1 * e1 - e2 * e2;
        }
        double mean = d.Average();
        double variance = d.Sum(x => (x - mean) * (x - mean)) / n;
        if (variance == 0) return (0, 1);
        double dm = mean / Math.Sqrt(variance / n);
        return (dm, Erfc(Math.Abs(dm) / Math.Sqrt(2)));
    }

    /// <summary>The complementary error function (Numerical Recipes' erfcc, relative error below 1.2e-7).</summary>
    private static double Erfc(double x)
    {
        double z = Math.Abs(x), t = 1 / (1 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
                   t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }

    /// <summary>The loss of a model whose output is always 0: the training-period mean return.</summary>
    private static double MeanLoss(Dataset d, int[] ends) => ends.Average(i => (double)d.Targets[i] * d.Targets[i]);

    private static double MovingAverage(double[] close, int end, int length)
    {
        int from = Math.Max(0, end - length + 1);
        double sum = 0;
        for (int i = from; i <= end; i++) sum += close[i];
        return sum / (end - from + 1);
    }

    private static string Range(Dataset d, int[] ends) =>
        $"{d.Series.Dates[ends[0] + 1]:yyyy-MM-dd} … {d.Series.Dates[ends[^1] + 1]:yyyy-MM-dd} ({ends.Length:N0} windows)";

    private static string Slug(string name) => new(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray());
}
