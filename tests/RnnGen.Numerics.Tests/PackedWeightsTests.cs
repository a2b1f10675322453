using System;
using System.Linq;
using Xunit;

namespace RnnGen.Numerics.Tests;

/// <summary>
/// <see cref="PackedWeights.Recurrent{T}"/> against the layout written out by hand (row k of a pass holds column k of
/// the weights, <c>[chunk][gate][lane]</c>), on a buffer full of NaN: every slot must be written or cleared, with and
/// without biases, with whole chunks (float: the eight-by-eight transposes) and a partial last chunk (element by
/// element), in float (8 lanes) and double (4 lanes).
/// The PyTorch parity tests cover the packed copy inside whole models.
/// </summary>
public class PackedWeightsTests
{
    [Theory]
    [InlineData(16, 16, true, false)]
    [InlineData(16, 16, false, false)]
    [InlineData(5, 12, true, false)]
    [InlineData(19, 24, false, false)]
    [InlineData(16, 16, false, true)]
    [InlineData(5, 10, true, true)]
    public void RecurrentLayoutIsEveryColumnOfEveryGate(int inputSize, int hidden, bool bias, bool inDouble)
    {
        const int gates = 4, chunksPerPass = 2;
        int lanes = inDouble ? 4 : 8;
        var random = new Random(inputSize * 100 + hidden);
        float[] weightIh = Values(random, gates * hidden * inputSize), weightHh = Values(random, gates * hidden * hidden);
        float[] biasIh = bias ? Values(random, gates * hidden) : Array.Empty<float>();
        float[] biasHh = bias ? Values(random, gates * hidden) : Array.Empty<float>();
        int chunks = (hidden + lanes - 1) / lanes;
        var expected = new System.Collections.Generic.List<float>();
        for (int first = 0; first < chunks; first += chunksPerPass)
        {
            int count = Math.Min(chunksPerPass, chunks - first);
            for (int chunk = first; chunk < first + count; chunk++)
                for (int gate = 0; gate < gates; gate++)
                    for (int lane = 0; lane < lanes; lane++)
                    {
                        int unit = chunk * lanes + lane;
                        expected.Add(bias && unit < hidden ? biasIh[gate * hidden + unit] + biasHh[gate * hidden + unit] : 0);
                    }
            foreach ((float[] weight, int columns) in new[] { (weightIh, inputSize), (weightHh, hidden) })
                for (int k = 0; k < columns; k++)
                    for (int chunk = first; chunk < first + count; chunk++)
                        for (int gate = 0; gate < gates; gate++)
                            for (int lane = 0; lane < lanes; lane++)
                            {
                                int unit = chunk * lanes + lane;
                                expected.Add(unit < hidden ? weight[(gate * hidden + unit) * columns + k] : 0);
                            }
        }
        if (inDouble)
        {
            double[] packed = Enumerable.Repeat(double.NaN, expected.Count).ToArray();
            PackedWeights.Recurrent<double>(packed, Doubles(weightIh), Doubles(weightHh), Doubles(biasIh), Doubles(biasHh), inputSize, hidden, gates, separateCandidateBiases: false, lanes, chunksPerPass);
            // The biases are summed in double there, in float here: compare within float rounding.
            Assert.All(packed.Zip(expected), pair => Assert.Equal(pair.Second, pair.First, 1e-6));
        }
        else
        {
            float[] packed = Enumerable.Repeat(float.NaN, expected.Count).ToArray();
            PackedWeights.Recurrent<float>(packed, weightIh, weightHh, biasIh, biasHh, inputSize, hidden, gates, separateCandidateBiases: false, lanes, chunksPerPass);
            Assert.Equal(expected, packed);
        }
    }

    private static double[] Doubles(float[] values) => values.Select(v => (double)v).ToArray();

    private static float[] Values(Random random, int count) => Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
}
