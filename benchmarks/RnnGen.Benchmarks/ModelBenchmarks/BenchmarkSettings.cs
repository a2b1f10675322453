using System;
using System.Collections.Generic;
using System.Linq;
using RnnGen.Benchmarks.Models;

namespace RnnGen.Benchmarks.ModelBenchmarks;

/// <summary>Settings Program.cs reads from the command line before BenchmarkDotNet sees it.</summary>
public static class BenchmarkSettings
{
    /// <summary>The shapes the model benchmarks run (<c>--shapes A,D,E</c>); all six by default.</summary>
    public static IReadOnlyList<Shape> Shapes { get; set; } = Enum.GetValues<Shape>();

    public static IReadOnlyList<Shape> ParseShapes(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => Enum.Parse<Shape>(s, ignoreCase: true)).ToArray();
}
