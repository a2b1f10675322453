using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
        destination.Clear();
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
    /// weight row (one gate unit) is read once, contiguously, and written down the packed column it becomes.
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
                for (int lane = 0; lane < lanes; lane++)
                {
                    int unit = (firstChunk + chunk) * lanes + lane;
                    if (unit >= hidden) break;
                    ReadOnlySpan<T> row = weight.Slice((gate * hidden + unit) * columns, columns);
                    // In bounds: the last element written is (columns − 1) · rowLength + (the slot's offset < rowLength).
                    ref T column = ref Unsafe.Add(ref target, (chunk * gates + gate) * lanes + lane);
                    for (int k = 0; k < row.Length; k++) Unsafe.Add(ref column, k * rowLength) = row[k];
                }
            }
        }
        return position + rows.Length;
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
