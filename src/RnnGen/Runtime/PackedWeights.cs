using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnGen;

/// <summary>
/// Rearranges PyTorch-layout tensors into the layouts the generated packed kernels stream (the generator's
/// <c>PackedLayout</c> describes the same layouts; the PyTorch parity tests hold the two together). Lanes past a layer's
/// size are zero. Called once per change of the parameters, never per step.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class PackedWeights
{
    /// <summary>
    /// A recurrent layer. Hidden units are cut into chunks of <paramref name="lanes"/>, chunks grouped into passes of
    /// <paramref name="chunksPerPass"/>; each pass holds its bias vectors <c>[chunk][bias block][lane]</c>, then one row per
    /// input feature and one per hidden unit, <c>[chunk][gate][lane]</c>, each row a column of weight_ih or weight_hh.
    /// </summary>
    /// <param name="destination">The layer's part of the packed array.</param>
    /// <param name="weightIh">weight_ih, <c>[gates·hidden, inputSize]</c>.</param>
    /// <param name="weightHh">weight_hh, <c>[gates·hidden, hidden]</c>.</param>
    /// <param name="biasIh">bias_ih, or empty for a layer without biases.</param>
    /// <param name="biasHh">bias_hh, or empty.</param>
    /// <param name="inputSize">Input features.</param>
    /// <param name="hidden">Hidden units.</param>
    /// <param name="gates">4 (LSTM i, f, g, o), 3 (GRU r, z, n) or 1.</param>
    /// <param name="separateCandidateBiases">GRU: bias blocks r, z (b_ih + b_hh), then b_in and b_hn apart (4 blocks).</param>
    /// <param name="lanes">Vector lanes per chunk.</param>
    /// <param name="chunksPerPass">Chunks whose accumulators one pass keeps in registers.</param>
    public static void Recurrent<T>(Span<T> destination, ReadOnlySpan<T> weightIh, ReadOnlySpan<T> weightHh,
        ReadOnlySpan<T> biasIh, ReadOnlySpan<T> biasHh, int inputSize, int hidden, int gates, bool separateCandidateBiases,
        int lanes, int chunksPerPass)
        where T : IFloatingPointIeee754<T>
    {
        // Every slot is written below but the lanes past the last unit and, without biases, the bias vectors.
        if (hidden % lanes != 0 || biasIh.IsEmpty) destination.Clear();
        int chunks = (hidden + lanes - 1) / lanes;
        int biasBlocks = separateCandidateBiases ? gates + 1 : gates;
        int position = 0;
        for (int first = 0; first < chunks; first += chunksPerPass)
        {
            int count = Math.Min(chunksPerPass, chunks - first);
            for (int chunk = 0; chunk < count; chunk++)
            {
                for (int block = 0; block < biasBlocks; block++)
                {
                    for (int lane = 0; lane < lanes; lane++)
                    {
                        int unit = (first + chunk) * lanes + lane;
                        if (unit < hidden && !biasIh.IsEmpty)
                            destination[position] = Bias(biasIh, biasHh, hidden, gates, separateCandidateBiases, block, unit);
                        position++;
                    }
                }
            }
            position = Rows(destination, position, weightIh, inputSize, hidden, gates, first, count, lanes);
            position = Rows(destination, position, weightHh, hidden, hidden, gates, first, count, lanes);
        }
    }

    private static T Bias<T>(ReadOnlySpan<T> biasIh, ReadOnlySpan<T> biasHh, int hidden, int gates, bool separate, int block, int unit)
        where T : IFloatingPointIeee754<T>
    {
        if (!separate || block < gates - 1) return biasIh[block * hidden + unit] + biasHh[block * hidden + unit];
        return block == gates - 1 ? biasIh[block * hidden + unit] : biasHh[(gates - 1) * hidden + unit];
    }

    /// <summary>
    /// The rows of one pass: row k holds column k of <paramref name="weight"/> for the pass's units of every gate. Each
    /// weight row (one gate unit) is read once, contiguously, and written down the packed column it becomes; for float
    /// with eight lanes and AVX, eight rows × eight columns at a time are transposed in registers and written as eight
    /// whole vectors.
    /// </summary>
    private static int Rows<T>(Span<T> destination, int position, ReadOnlySpan<T> weight, int columns, int hidden, int gates,
        int firstChunk, int count, int lanes)
        where T : IFloatingPointIeee754<T>
    {
        int rowLength = count * gates * lanes;
        Span<T> rows = destination.Slice(position, columns * rowLength);
        ref T target = ref MemoryMarshal.GetReference(rows);
        for (int chunk = 0; chunk < count; chunk++)
        {
            for (int gate = 0; gate < gates; gate++)
            {
                int firstUnit = (firstChunk + chunk) * lanes;
                // In bounds: the last element written is (columns − 1) · rowLength + (the slot's offset < rowLength).
                ref T slot = ref Unsafe.Add(ref target, (chunk * gates + gate) * lanes);
                int done = 0;
                if (typeof(T) == typeof(float) && lanes == 8 && firstUnit + 8 <= hidden && Avx.IsSupported)
                {
                    ReadOnlySpan<T> rowsOfBlock = weight.Slice((gate * hidden + firstUnit) * columns, 8 * columns);
                    ReadOnlySpan<float> block = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<T, float>(ref MemoryMarshal.GetReference(rowsOfBlock)), rowsOfBlock.Length);
                    done = TransposeEights(block, columns, ref Unsafe.As<T, float>(ref slot), rowLength);
                }
                for (int lane = 0; lane < lanes; lane++)
                {
                    int unit = firstUnit + lane;
                    if (unit >= hidden) break;
                    ReadOnlySpan<T> row = weight.Slice((gate * hidden + unit) * columns, columns);
                    ref T column = ref Unsafe.Add(ref slot, lane);
                    for (int k = done; k < row.Length; k++) Unsafe.Add(ref column, k * rowLength) = row[k];
                }
            }
        }
        return position + rows.Length;
    }

    /// <summary>
    /// Eight consecutive rows of <paramref name="columns"/> (<paramref name="block"/>) written as packed rows
    /// <c>slot[k · rowLength .. + 8] = block[0..8, k]</c>, eight columns at a time; returns the columns done.
    /// </summary>
    private static int TransposeEights(ReadOnlySpan<float> block, int columns, ref float slot, int rowLength)
    {
        ref float source = ref MemoryMarshal.GetReference(block);
        int k = 0;
        for (; k + 8 <= columns; k += 8)
        {
            ref float first = ref Unsafe.Add(ref source, k);
            Vector256<float> r0 = Vector256.LoadUnsafe(ref first), r1 = Vector256.LoadUnsafe(ref first, (nuint)columns);
            Vector256<float> r2 = Vector256.LoadUnsafe(ref first, (nuint)(2 * columns)), r3 = Vector256.LoadUnsafe(ref first, (nuint)(3 * columns));
            Vector256<float> r4 = Vector256.LoadUnsafe(ref first, (nuint)(4 * columns)), r5 = Vector256.LoadUnsafe(ref first, (nuint)(5 * columns));
            Vector256<float> r6 = Vector256.LoadUnsafe(ref first, (nuint)(6 * columns)), r7 = Vector256.LoadUnsafe(ref first, (nuint)(7 * columns));
            // Pairs of rows interleaved, then quadruples (within each 128-bit half), then the halves exchanged.
            Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
            Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
            Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE), s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
            Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE), s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
            ref float row = ref Unsafe.Add(ref slot, k * rowLength);
            Avx.Permute2x128(s0, s4, 0x20).StoreUnsafe(ref row);
            Avx.Permute2x128(s1, s5, 0x20).StoreUnsafe(ref row, (nuint)rowLength);
            Avx.Permute2x128(s2, s6, 0x20).StoreUnsafe(ref row, (nuint)(2 * rowLength));
            Avx.Permute2x128(s3, s7, 0x20).StoreUnsafe(ref row, (nuint)(3 * rowLength));
            Avx.Permute2x128(s0, s4, 0x31).StoreUnsafe(ref row, (nuint)(4 * rowLength));
            Avx.Permute2x128(s1, s5, 0x31).StoreUnsafe(ref row, (nuint)(5 * rowLength));
            Avx.Permute2x128(s2, s6, 0x31).StoreUnsafe(ref row, (nuint)(6 * rowLength));
            Avx.Permute2x128(s3, s7, 0x31).StoreUnsafe(ref row, (nuint)(7 * rowLength));
        }
        return k;
    }

    /// <summary>
    /// A Dense layer with few outputs, for dot products: each weight row padded with zeros to whole vectors of
    /// <paramref name="lanes"/>, then the <paramref name="outputs"/> biases (zeros without <paramref name="bias"/>).
    /// </summary>
    public static void DenseRows<T>(Span<T> destination, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, int outputs, int inputs, int lanes)
        where T : IFloatingPointIeee754<T>
    {
        destination.Clear();
        int row = (inputs + lanes - 1) / lanes * lanes;
        for (int o = 0; o < outputs; o++)
            weight.Slice(o * inputs, inputs).CopyTo(destination.Slice(o * row, inputs));
        if (!bias.IsEmpty) bias.CopyTo(destination.Slice(outputs * row, outputs));
    }

    /// <summary>
    /// A Dense layer for the saxpy form: the bias padded to whole vectors of <paramref name="lanes"/>, then one row per
    /// input k holding column k of the weight, padded the same way.
    /// </summary>
    public static void DenseColumns<T>(Span<T> destination, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, int outputs, int inputs, int lanes)
        where T : IFloatingPointIeee754<T>
    {
        destination.Clear();
        int row = (outputs + lanes - 1) / lanes * lanes;
        if (!bias.IsEmpty) bias.CopyTo(destination);
        // Weight row o (contiguous) becomes column o of the packed rows.
        Span<T> rows = destination.Slice(row, inputs * row);
        ref T target = ref MemoryMarshal.GetReference(rows);
        for (int o = 0; o < outputs; o++)
        {
            ReadOnlySpan<T> source = weight.Slice(o * inputs, inputs);
            ref T column = ref Unsafe.Add(ref target, o); // in bounds: (inputs − 1) · row + o < inputs · row
            for (int k = 0; k < source.Length; k++) Unsafe.Add(ref column, k * row) = source[k];
        }
    }
}
