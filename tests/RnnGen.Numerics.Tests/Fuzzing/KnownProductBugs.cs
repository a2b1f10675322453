namespace RnnGen.Numerics.Tests.Fuzzing;

/// <summary>
/// Open product bugs the weight-file fuzzers found. While a switch is on, its failure is either left out of the
/// generated inputs or, when blind byte edits can reach it anyway, recognized narrowly and counted instead of failing
/// (see <c>ImporterFuzzTests.KnownBug</c>); each has a skipped regression test in <see cref="ImporterFuzzRegressionTests"/>.
/// When a bug is fixed, un-skip its test and turn its switch off.
/// </summary>
internal static class KnownProductBugs
{
    /// <summary>KerasImporter: invalid UTF-8, or an escaped lone surrogate, in a string it reads → InvalidOperationException.</summary>
    public const bool KerasInvalidUtf8 = true;

    /// <summary>KerasImporter: an embedding layer without "weights", for a model with [Embedding] → ArgumentOutOfRangeException.</summary>
    public const bool KerasEmbeddingWithoutWeights = true;

    /// <summary>OnnxImporter: an Add node whose data input is its third input (slot 2) → ArgumentOutOfRangeException.</summary>
    public const bool OnnxAddDataAsThirdInput = true;

    /// <summary>
    /// OnnxImporter: a tensor's dims allocate up to 2 GB before its data length is checked. Dims of 10^8 and 2^28−1 are
    /// left out of the mutations; smaller ones that still pass the bound are recognized by the refusal they end in.
    /// </summary>
    public const bool OnnxAllocatesByDims = true;

    /// <summary>OnnxImporter: a node whose output is its own input (on the chain, on X, or on initial_h) → an endless loop.</summary>
    public const bool OnnxCyclesHang = true;
}
