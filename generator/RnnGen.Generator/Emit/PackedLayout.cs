using System;
using System.Collections.Generic;
using RnnGen.Generator.Model;

namespace RnnGen.Generator.Emit;

/// <summary>The SIMD width one packed kernel is written for: the vector type, its lane count, the partial-load helper.</summary>
internal sealed record VectorWidth(string Type, string Static, int Lanes, string LoadPartial)
{
    private const string Intrinsics = "global::System.Runtime.Intrinsics";

    /// <summary>
    /// Vector256: accelerated on every x64 machine with AVX2 (AVX-512 ones included: Zen 4 runs 512-bit operations as
    /// two 256-bit halves anyway), with 8 float or 4 double lanes.
    /// </summary>
    public static VectorWidth For(bool isDouble) =>
        isDouble ? new($"{Intrinsics}.Vector256<double>", $"{Intrinsics}.Vector256", 4, "global::RnnGen.Simd.LoadPartial")
        : new($"{Intrinsics}.Vector256<float>", $"{Intrinsics}.Vector256", 8, "global::RnnGen.Simd.LoadPartial");

    public string Name => Static.Substring(Static.LastIndexOf('.') + 1);

    /// <summary><paramref name="count"/> values rounded up to whole vectors.</summary>
    public int WholeVectors(int count) => (count + Lanes - 1) / Lanes * Lanes;
}

/// <summary>
/// One pass of a packed recurrent kernel: <see cref="ChunkCount"/> chunks of <c>Lanes</c> hidden units whose gate
/// accumulators all stay in registers while the pass streams its weights once.
/// </summary>
internal sealed record PackedPass(int Index, int FirstChunk, int ChunkCount, int Offset, int Length);

/// <summary>
/// The packed inference layout of one recurrent layer (the training path keeps reading PyTorch's tensors). Hidden units
/// are cut into chunks of <c>Lanes</c>; chunks are grouped into passes. A pass holds, contiguously:
/// <list type="bullet">
/// <item>bias vectors <c>[chunk][BiasBlocks][Lanes]</c> (b_ih + b_hh per gate; a GRU keeps b_in and b_hn apart),</item>
/// <item>one row per input feature k: <c>[chunk][WeightBlocks][Lanes]</c> = column k of weight_ih for every gate,</item>
/// <item>one row per hidden unit k: the same from weight_hh.</item>
/// </list>
/// Lanes past the layer's size hold zeros. So a step is, per pass: accumulators ← biases, then for each k one broadcast
/// and one fused multiply-add per accumulator with the row as memory operand (saxpy form), then the cell's update.
/// </summary>
internal sealed class PackedLayer
{
    /// <summary>Accumulators a pass may keep in registers (of the 32 vector registers, leaving room for temporaries).</summary>
    private const int MaxAccumulators = 8;

    public PackedLayer(RecurrentLayerSpec layer, bool isDouble, int offset)
    {
        Layer = layer;
        Width = VectorWidth.For(isDouble);
        Offset = offset;
        Chunks = (layer.HiddenSize + Width.Lanes - 1) / Width.Lanes;
        WeightBlocks = layer.Cell.GateCount();
        BiasBlocks = layer.Cell == CellKind.Gru ? 4 : WeightBlocks;
        int perPass = Math.Max(1, Math.Min(Chunks, MaxAccumulators / BiasBlocks));
        int position = 0;
        for (int first = 0, index = 0; first < Chunks; first += perPass, index++)
        {
            int count = Math.Min(perPass, Chunks - first);
            int length = (count * BiasBlocks + (layer.InputSize + layer.HiddenSize) * count * WeightBlocks) * Width.Lanes;
            Passes.Add(new PackedPass(index, first, count, position, length));
            position += length;
        }
        Length = position;
    }

    public RecurrentLayerSpec Layer { get; }

    public VectorWidth Width { get; }

    /// <summary>Offset of the layer's first pass in the packed array.</summary>
    public int Offset { get; }

    public int Length { get; }

    public int Chunks { get; }

    /// <summary>Gate vectors per chunk in a weight row: LSTM 4 (i, f, g, o), GRU 3 (r, z, n), SimpleRNN 1.</summary>
    public int WeightBlocks { get; }

    /// <summary>Bias vectors per chunk: as <see cref="WeightBlocks"/>, but 4 for a GRU (r, z, n_x = b_in, n_h = b_hn).</summary>
    public int BiasBlocks { get; }

    public List<PackedPass> Passes { get; } = new();

    /// <summary>
    /// Values per step of the input projection (W_ih x + biases): <c>[chunk][BiasBlocks][Lanes]</c>. The recurrence adds
    /// W_hh h and parks its gate sums back in these slots (a GRU's n_h in the fourth) before the cell update, so the update
    /// works on one chunk's gates at a time instead of keeping every accumulator of the pass in registers.
    /// </summary>
    public int ProjectionLength => Chunks * BiasBlocks * Width.Lanes;

    /// <summary>Offset of gate <paramref name="block"/> of chunk <paramref name="chunk"/> in a step's projection.</summary>
    public int Slot(int chunk, int block) => (chunk * BiasBlocks + block) * Width.Lanes;

    /// <summary>Whether the packed kernels serve this layer. A reset-before GRU needs r for all units before W_hn·(r ⊙ h), so it keeps the portable kernel.</summary>
    public static bool Supports(RecurrentLayerSpec layer) => layer.Cell != CellKind.Gru || layer.ResetAfter;

    public string Constant => $"PackedLayer{Layer.Index}";
}

/// <summary>
/// The packed layout of one Dense layer: with few outputs, rows padded to whole vectors for dot products
/// (<see cref="DotForm"/>); otherwise transposed into rows of output chunks for the saxpy form, like the recurrent layers.
/// </summary>
internal sealed class PackedDense
{
    public PackedDense(DenseLayerSpec dense, bool isDouble, int offset)
    {
        Dense = dense;
        DotForm = dense.OutputSize <= 4;
        Width = VectorWidth.For(isDouble);
        Offset = offset;
        InputChunks = (dense.InputSize + Width.Lanes - 1) / Width.Lanes;
        OutputChunks = (dense.OutputSize + Width.Lanes - 1) / Width.Lanes;
        Length = DotForm
            ? dense.OutputSize * InputChunks * Width.Lanes + dense.OutputSize
            : OutputChunks * Width.Lanes * (1 + dense.InputSize);
    }

    public DenseLayerSpec Dense { get; }

    public bool DotForm { get; }

    public VectorWidth Width { get; }

    public int Offset { get; }

    public int Length { get; }

    public int InputChunks { get; }

    public int OutputChunks { get; }

    public string Constant => $"PackedDense{Dense.Index}";
}

/// <summary>The packed inference weights of a whole model: every supported layer, then the head, one after the other.</summary>
internal sealed class PackedModel
{
    /// <summary>Steps of a sequence processed layer by layer at a time (the input projections of a tile are one product).</summary>
    public const int TileSteps = 32;

    public PackedModel(ModelSpec spec)
    {
        int offset = 0;
        foreach (RecurrentLayerSpec layer in spec.Layers)
        {
            if (!PackedLayer.Supports(layer)) { Layers.Add(null); continue; }
            var packed = new PackedLayer(layer, spec.IsDouble, offset);
            Layers.Add(packed);
            offset = WholeCacheLines(offset + packed.Length, spec.IsDouble);
        }
        foreach (DenseLayerSpec dense in spec.Head)
        {
            var packed = new PackedDense(dense, spec.IsDouble, offset);
            Head.Add(packed);
            offset = WholeCacheLines(offset + packed.Length, spec.IsDouble);
        }
        Length = Math.Max(offset, 1);
        foreach (PackedLayer? layer in Layers)
            if (layer is not null) ProjectionLength = Math.Max(ProjectionLength, layer.ProjectionLength);
        foreach (RecurrentLayerSpec layer in spec.Layers) WidestHidden = Math.Max(WidestHidden, layer.HiddenSize);
    }

    /// <summary>
    /// <paramref name="count"/> values rounded up to whole 64-byte cache lines: every section of the packed weights and of
    /// the scratch starts a line (the buffers themselves start on one, see RnnGen.AlignedBuffer), so no vector load of a
    /// section straddles two lines.
    /// </summary>
    public static int WholeCacheLines(int count, bool isDouble)
    {
        int perLine = 2 * VectorWidth.For(isDouble).Lanes; // two 32-byte vectors
        return (count + perLine - 1) / perLine * perLine;
    }

    /// <summary>Per recurrent layer, its packed layout, or null where the portable kernel serves it.</summary>
    public List<PackedLayer?> Layers { get; } = new();

    public List<PackedDense> Head { get; } = new();

    public int Length { get; }

    public int ProjectionLength { get; }

    /// <summary>Values a step needs for h' while the layer's passes still read h: the widest layer's.</summary>
    public int HiddenScratch => WidestHidden;

    public int WidestHidden { get; }

    /// <summary>The sequence buffer: a tile's projections and two tiles of hidden states (layer input and output).</summary>
    public int SequenceScratch => TileSteps * (ProjectionLength + 2 * WidestHidden);
}
