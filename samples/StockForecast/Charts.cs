// The picture: forecasts on the test period, a close-up, predicted against actual returns, and the loss curves.
using System;
using System.Collections.Generic;
using System.Linq;
using ScottPlot;

namespace StockForecast;

public sealed record ChartData(
    string Title,
    string ModelName,
    DateTime[] Dates,          // the forecast day (the day after each window) of every test sample
    double[] Actual,
    double[] Model,
    double[] LastValue,
    double[] MovingAverage,
    string MovingAverageName,
    double[] ActualReturns,    // in percent
    double[] ModelReturns,     // in percent
    IReadOnlyList<EpochResult> History,
    double MeanReturnValidationLoss,
    int CloseUpLength,
    string Unit);

public static class Charts
{
    public static void Save(ChartData data, string path)
    {
        var figure = new Multiplot();
        figure.AddPlots(4);
        figure.Layout = new ScottPlot.MultiplotLayouts.Grid(rows: 2, columns: 2);

        var x = data.Dates.Select(d => d.ToOADate()).ToArray();
        var modelColor = Colors.Blue;
        var actualColor = Colors.Black;
        var lastColor = Colors.OrangeRed;
        var averageColor = Colors.Green;

        // 1. The whole test period.
        var overview = figure.GetPlot(0);
        Line(overview, x, data.Model, data.ModelName, modelColor, 2f);
        Line(overview, x, data.Actual, "actual", actualColor, 1f);
        overview.Axes.DateTimeTicksBottom();
        overview.Title($"{data.Title}: next-{data.Unit} close, test period");
        overview.YLabel("close");
        overview.ShowLegend(Alignment.UpperLeft);

        // 2. A close-up of the end of the test period, with the baselines.
        int n = Math.Min(data.CloseUpLength, x.Length), from = x.Length - n;
        var closeUp = figure.GetPlot(1);
        Line(closeUp, x[from..], data.Actual[from..], "actual", actualColor, 2f, marker: true);
        Line(closeUp, x[from..], data.MovingAverage[from..], data.MovingAverageName, averageColor, 1f, dashed: true);
        Line(closeUp, x[from..], data.Model[from..], data.ModelName, modelColor, 2.5f, marker: true);
        Line(closeUp, x[from..], data.LastValue[from..], "last value", lastColor, 1.5f, dashed: true);
        closeUp.Axes.DateTimeTicksBottom();
        closeUp.Title($"Last {n} {data.Unit}s of the test period");
        closeUp.ShowLegend(Alignment.LowerLeft);

        // 3. Predicted against actual return: a useful forecast would lie along the diagonal.
        var returns = figure.GetPlot(2);
        var points = returns.Add.ScatterPoints(data.ActualReturns, data.ModelReturns);
        points.Color = modelColor.WithAlpha(0.5);
        points.MarkerSize = 4;
        points.LegendText = $"{data.ModelName}, test {data.Unit}s";
        double lo = data.ActualReturns.Min(), hi = data.ActualReturns.Max();
        var diagonal = returns.Add.Line(lo, lo, hi, hi);
        diagonal.Color = Colors.Gray;
        diagonal.LinePattern = LinePattern.Dashed;
        diagonal.LegendText = "perfect forecast";
        returns.Title($"Next-{data.Unit} return (%): predicted vs actual");
        returns.XLabel("actual return (%)");
        returns.YLabel("predicted return (%)");
        returns.ShowLegend(Alignment.UpperLeft);

        // 4. Loss curves.
        var loss = figure.GetPlot(3);
        var epochs = data.History.Select(h => (double)h.Epoch).ToArray();
        Line(loss, epochs, data.History.Select(h => h.TrainLoss).ToArray(), "training", modelColor, 1.5f, marker: true);
        Line(loss, epochs, data.History.Select(h => h.ValidationLoss).ToArray(), "validation", Colors.Magenta, 1.5f, marker: true);
        var best = data.History.Last(h => h.Best);
        var bestLine = loss.Add.VerticalLine(best.Epoch);
        bestLine.Color = Colors.Gray;
        bestLine.LinePattern = LinePattern.Dotted;
        bestLine.LegendText = $"kept: epoch {best.Epoch}";
        var reference = loss.Add.HorizontalLine(data.MeanReturnValidationLoss);
        reference.Color = Colors.Magenta.WithAlpha(0.6);
        reference.LinePattern = LinePattern.Dashed;
        reference.LegendText = "validation, mean-return forecast";
        loss.Title("Loss: MSE of the normalised next-" + data.Unit + " return");
        loss.XLabel("epoch");
        loss.ShowLegend(Edge.Right);

        figure.SavePng(path, 1400, 900);
    }

    private static void Line(Plot plot, double[] x, double[] y, string label, Color color, float width, bool marker = false, bool dashed = false)
    {
        var line = plot.Add.ScatterLine(x, y);
        line.LegendText = label;
        line.Color = color;
        line.LineWidth = width;
        line.MarkerSize = marker ? 4 : 0;
        if (dashed) line.LinePattern = LinePattern.Dashed;
    }
}
