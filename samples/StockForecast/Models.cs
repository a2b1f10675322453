// The networks this sample can train. RnnGen compiles each declaration into a class with every size a compile-time
// constant, so a hidden size or a cell type chosen on the command line selects one of these pre-declared classes:
// --cell lstm|gru × --hidden 16|32|64, for the daily OHLCV input (5 features) and the monthly price input (1 feature).
using System;
using RnnGen;

namespace StockForecast;

/// <summary>Creates the declared model for an input width, a cell type and a hidden size.</summary>
public static class ModelCatalog
{
    /// <summary>The hidden sizes that have a declared class (<c>--hidden</c>).</summary>
    public static readonly int[] HiddenSizes = [16, 32, 64];

    /// <summary>The cell types that have a declared class (<c>--cell</c>).</summary>
    public static readonly string[] Cells = ["lstm", "gru"];

    public static IRecurrentModel<float> Create(int inputSize, string cell, int hidden) => (inputSize, cell, hidden) switch
    {
        (5, "lstm", 16) => new OhlcvLstm16(),
        (5, "lstm", 32) => new OhlcvLstm32(),
        (5, "lstm", 64) => new OhlcvLstm64(),
        (5, "gru", 16) => new OhlcvGru16(),
        (5, "gru", 32) => new OhlcvGru32(),
        (5, "gru", 64) => new OhlcvGru64(),
        (1, "lstm", 16) => new PriceLstm16(),
        (1, "lstm", 32) => new PriceLstm32(),
        (1, "lstm", 64) => new PriceLstm64(),
        (1, "gru", 16) => new PriceGru16(),
        (1, "gru", 32) => new PriceGru32(),
        (1, "gru", 64) => new PriceGru64(),
        _ => throw new ArgumentException($"No model is declared for {inputSize} inputs, cell '{cell}', hidden size {hidden}."),
    };
}

// Daily S&P 500 (or any OHLCV file): 5 features per day, one output (the next day's normalised log return).
[RecurrentModel(inputSize: 5, SequenceLength = 64)] [Lstm(16)] [Dense(1)] public partial class OhlcvLstm16;
[RecurrentModel(inputSize: 5, SequenceLength = 64)] [Lstm(32)] [Dense(1)] public partial class OhlcvLstm32;
[RecurrentModel(inputSize: 5, SequenceLength = 64)] [Lstm(64)] [Dense(1)] public partial class OhlcvLstm64;
[RecurrentModel(inputSize: 5, SequenceLength = 64)] [Gru(16)] [Dense(1)] public partial class OhlcvGru16;
[RecurrentModel(inputSize: 5, SequenceLength = 64)] [Gru(32)] [Dense(1)] public partial class OhlcvGru32;
[RecurrentModel(inputSize: 5, SequenceLength = 64)] [Gru(64)] [Dense(1)] public partial class OhlcvGru64;

// Monthly prices of one company (--symbol): 1 feature per month, one output.
[RecurrentModel(inputSize: 1, SequenceLength = 64)] [Lstm(16)] [Dense(1)] public partial class PriceLstm16;
[RecurrentModel(inputSize: 1, SequenceLength = 64)] [Lstm(32)] [Dense(1)] public partial class PriceLstm32;
[RecurrentModel(inputSize: 1, SequenceLength = 64)] [Lstm(64)] [Dense(1)] public partial class PriceLstm64;
[RecurrentModel(inputSize: 1, SequenceLength = 64)] [Gru(16)] [Dense(1)] public partial class PriceGru16;
[RecurrentModel(inputSize: 1, SequenceLength = 64)] [Gru(32)] [Dense(1)] public partial class PriceGru32;
[RecurrentModel(inputSize: 1, SequenceLength = 64)] [Gru(64)] [Dense(1)] public partial class PriceGru64;
