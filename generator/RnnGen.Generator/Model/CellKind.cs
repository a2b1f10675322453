namespace RnnGen.Generator.Model;

/// <summary>The recurrent cell of a layer, with its gate count.</summary>
internal enum CellKind
{
    SimpleRnn,
    Lstm,
    Gru,
}

internal static class CellKindExtensions
{
    /// <summary>Rows of <c>weight_ih</c> per hidden unit: 1, 4 ([i, f, g, o]) or 3 ([r, z, n]).</summary>
    public static int GateCount(this CellKind kind) => kind switch
    {
        CellKind.Lstm => 4,
        CellKind.Gru => 3,
        _ => 1,
    };

    public static string DisplayName(this CellKind kind) => kind switch
    {
        CellKind.Lstm => "LSTM",
        CellKind.Gru => "GRU",
        _ => "SimpleRNN",
    };
}
