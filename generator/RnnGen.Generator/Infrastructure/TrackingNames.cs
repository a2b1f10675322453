namespace RnnGen.Generator.Infrastructure;

/// <summary>Names of the tracked pipeline steps, asserted by the incrementality tests.</summary>
internal static class TrackingNames
{
    /// <summary>The attribute transform: symbols in, <c>ParseResult</c> out.</summary>
    public const string Parse = nameof(Parse);

    /// <summary>The diagnostics split off the parse result.</summary>
    public const string Diagnostics = nameof(Diagnostics);

    /// <summary>The valid model specs.</summary>
    public const string Specs = nameof(Specs);

    /// <summary>Safetensors AdditionalFiles, read once per change of the file.</summary>
    public const string WeightsFiles = nameof(WeightsFiles);

    /// <summary>Each spec bound to its compiled-in weights (or to none).</summary>
    public const string Bind = nameof(Bind);

    /// <summary>The models whose hint names would clash ignoring case, with the names they get instead (one value for the compilation).</summary>
    public const string HintNames = nameof(HintNames);
}
