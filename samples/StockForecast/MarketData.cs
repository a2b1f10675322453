// Reading the two CSV layouts this sample understands, with errors that name the file, the line and the problem.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;

namespace StockForecast;

/// <summary>A problem with the input data, reported to the user as is (no stack trace).</summary>
public sealed class DataException(string message) : Exception(message);

/// <summary>One price series: dates, closes and, for daily OHLCV data, open/high/low/volume.</summary>
public sealed class PriceSeries
{
    public required string Name { get; init; }
    public required string Source { get; init; }
    public required DateTime[] Dates { get; init; }
    public required double[] Close { get; init; }

    /// <summary>Open, high, low and volume; null for a close-only series (monthly <c>stocks.csv</c>).</summary>
    public double[]? Open { get; init; }
    public double[]? High { get; init; }
    public double[]? Low { get; init; }
    public double[]? Volume { get; init; }

    public bool HasOhlcv => Open is not null;
    public int Count => Dates.Length;
}

public static class MarketData
{
    public const string Sp500Resource = "sp500-2000.csv";
    public const string StocksResource = "stocks.csv";

    /// <summary>Daily OHLCV: a header with date, open, high, low, close and volume (any order, any case; other columns ignored).</summary>
    public static PriceSeries LoadDaily(string? path)
    {
        var (lines, source) = ReadLines(path, Sp500Resource);
        var (header, columns) = Header(lines, source, ["date", "open", "high", "low", "close", "volume"]);
        int date = header["date"], open = header["open"], high = header["high"], low = header["low"], close = header["close"], volume = header["volume"];

        var dates = new List<DateTime>();
        var o = new List<double>(); var h = new List<double>(); var l = new List<double>(); var c = new List<double>(); var v = new List<double>();
        foreach (var (number, fields) in Rows(lines, source, columns))
        {
            dates.Add(ParseDate(fields[date], source, number, "date"));
            o.Add(ParsePositive(fields[open], source, number, "open"));
            h.Add(ParsePositive(fields[high], source, number, "high"));
            l.Add(ParsePositive(fields[low], source, number, "low"));
            c.Add(ParsePositive(fields[close], source, number, "close"));
            v.Add(ParsePositive(fields[volume], source, number, "volume"));
            CheckIncreasing(dates, source, number);
        }
        return new PriceSeries
        {
            Name = path is null ? "S&P 500" : Path.GetFileNameWithoutExtension(path),
            Source = source, Dates = [.. dates], Close = [.. c], Open = [.. o], High = [.. h], Low = [.. l], Volume = [.. v],
        };
    }

    /// <summary>Monthly prices of several companies: a header with symbol, date and price; one symbol is kept.</summary>
    public static PriceSeries LoadSymbol(string? path, string symbol)
    {
        var (lines, source) = ReadLines(path, StocksResource);
        var (header, columns) = Header(lines, source, ["symbol", "date", "price"]);
        int sym = header["symbol"], date = header["date"], price = header["price"];

        var symbols = new SortedSet<string>(StringComparer.Ordinal);
        var dates = new List<DateTime>();
        var prices = new List<double>();
        foreach (var (number, fields) in Rows(lines, source, columns))
        {
            string s = fields[sym].Trim();
            symbols.Add(s);
            if (!string.Equals(s, symbol, StringComparison.OrdinalIgnoreCase)) continue;
            dates.Add(ParseDate(fields[date], source, number, "date"));
            prices.Add(ParsePositive(fields[price], source, number, "price"));
            CheckIncreasing(dates, source, number);
        }
        if (dates.Count == 0)
            throw new DataException($"{source}: no rows for symbol '{symbol}'. Symbols in the file: {string.Join(", ", symbols)}.");
        return new PriceSeries { Name = symbol.ToUpperInvariant(), Source = source, Dates = [.. dates], Close = [.. prices] };
    }

    /// <summary>The lines of <paramref name="path"/>, or of the embedded <paramref name="resource"/> when it is null.</summary>
    private static (string[] Lines, string Source) ReadLines(string? path, string resource)
    {
        if (path is null)
        {
            using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
                ?? throw new DataException($"The embedded data file {resource} is missing from the build.");
            using var reader = new StreamReader(stream);
            return (SplitLines(reader.ReadToEnd()), $"{resource} (embedded)");
        }
        if (Directory.Exists(path)) throw new DataException($"{path} is a folder; --data takes a CSV file.");
        if (!File.Exists(path)) throw new DataException($"Data file not found: {Path.GetFullPath(path)}");
        try
        {
            return (SplitLines(File.ReadAllText(path)), path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataException($"Cannot read {path}: {e.Message}");
        }
    }

    private static string[] SplitLines(string text) => text.Split('\n').Select(line => line.TrimEnd('\r')).ToArray();

    private static (Dictionary<string, int> Index, int Columns) Header(string[] lines, string source, string[] required)
    {
        if (lines.Length == 0 || lines[0].Trim().Length == 0)
            throw new DataException($"{source}: the file is empty; expected a CSV header with columns {string.Join(",", required)}.");
        var columns = lines[0].TrimStart('\uFEFF').Split(',').Select(c => c.Trim().Trim('"').ToLowerInvariant()).ToArray();
        var map = new Dictionary<string, int>();
        for (int i = 0; i < columns.Length; i++) map.TryAdd(columns[i], i);
        var missing = required.Where(r => !map.ContainsKey(r)).ToArray();
        if (missing.Length > 0)
            throw new DataException(
                $"{source} line 1: the header has no column {string.Join(", ", missing.Select(m => $"'{m}'"))}. " +
                $"Expected columns {string.Join(",", required)} (any order); found '{lines[0]}'.");
        return (required.ToDictionary(r => r, r => map[r]), columns.Length);
    }

    private static IEnumerable<(int Number, string[] Fields)> Rows(string[] lines, string source, int columns)
    {
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0) continue;
            var fields = lines[i].Split(',');
            if (fields.Length != columns)
                throw new DataException($"{source} line {i + 1}: {fields.Length} fields, but the header has {columns}: '{lines[i]}'.");
            yield return (i + 1, fields);
        }
    }

    private static double ParsePositive(string text, string source, int line, string column)
    {
        if (!double.TryParse(text.Trim().Trim('"'), NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
            throw new DataException($"{source} line {line}: '{text}' in column '{column}' is not a number.");
        if (value <= 0)
            throw new DataException($"{source} line {line}: {column} is {text}; prices and volumes must be positive (the model reads log returns).");
        return value;
    }

    private static readonly string[] DateFormats = ["yyyy-MM-dd", "MMM d yyyy", "yyyy-MM-dd HH:mm:ss", "M/d/yyyy"];

    private static DateTime ParseDate(string text, string source, int line, string column)
    {
        string t = text.Trim().Trim('"');
        if (DateTime.TryParseExact(t, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
        throw new DataException($"{source} line {line}: '{text}' in column '{column}' is not a date (expected e.g. 2000-01-03 or Jan 1 2000).");
    }

    private static void CheckIncreasing(List<DateTime> dates, string source, int line)
    {
        if (dates.Count >= 2 && dates[^1] <= dates[^2])
            throw new DataException($"{source} line {line}: date {dates[^1]:yyyy-MM-dd} is not after the previous row's {dates[^2]:yyyy-MM-dd}; rows must be in time order.");
    }
}
