using System;
using System.Linq;
using Xunit;

namespace RnnGen.Numerics.Tests;

/// <summary>
/// The backward pass's two products (<see cref="BackwardKernels"/>) against plain loops, on sizes that reach the
/// eight- and four-vector blocks, the two-row blocks and a last odd row, the single vectors and the scalar tails, and
/// inputs narrower than a vector (vectors down the rows, 32 at a time, the rest row by row); and
/// their length checks. The gradient checks and the
/// PyTorch gradient parity tests cover them inside whole models.
/// </summary>
public class BackwardKernelTests
{
    [Theory]
    [InlineData(5, 1)]
    [InlineData(12, 7)]
    [InlineData(33, 45)]
    [InlineData(64, 128)]
    public void TransposedProductMatchesLoops(int rows, int columns)
    {
        var random = new Random(rows * 1000 + columns);
        double[] w = Values(random, rows * columns), dA = Values(random, rows), dx = Values(random, columns);
        double[] expected = (double[])dx.Clone();
        for (int c = 0; c < columns; c++)
            for (int r = 0; r < rows; r++) expected[c] += dA[r] * w[r * columns + c];
        BackwardKernels.AddTransposedProduct<double>(w, rows, columns, dA, dx);
        for (int c = 0; c < columns; c++) Assert.Equal(expected[c], dx[c], 1e-12);
    }

    [Theory]
    [InlineData(4, 1, 3, 5)]
    [InlineData(128, 1, 64, 3)]
    [InlineData(75, 3, 9, 4)]
    [InlineData(12, 7, 64, 20)]
    [InlineData(33, 45, 17, 50)]
    public void OuterProductsMatchLoops(int rows, int columns, int steps, int stride)
    {
        var random = new Random(rows + columns + steps);
        float[] gradient = Values(random, rows * columns).Select(v => (float)v).ToArray();
        float[] dA = Values(random, steps * rows).Select(v => (float)v).ToArray();
        float[] x = Values(random, (steps - 1) * stride + columns + 3).Select(v => (float)v).ToArray();
        double[] expected = gradient.Select(v => (double)v).ToArray();
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                for (int t = 0; t < steps; t++) expected[r * columns + c] += (double)dA[t * rows + r] * x[t * stride + c];
        BackwardKernels.AddOuterProducts<float>(gradient, rows, columns, dA, x, stride, steps);
        for (int i = 0; i < gradient.Length; i++) Assert.Equal(expected[i], gradient[i], 1e-4);
    }

    [Fact]
    public void ShortSpansAreRefusedByName()
    {
        var error = Assert.Throws<ArgumentException>(() => BackwardKernels.AddTransposedProduct<float>(new float[11], 3, 4, new float[3], new float[4]));
        Assert.Equal("weights", error.ParamName);
        error = Assert.Throws<ArgumentException>(() => BackwardKernels.AddTransposedProduct<float>(new float[12], 3, 4, new float[3], new float[3]));
        Assert.Equal("dx", error.ParamName);
        error = Assert.Throws<ArgumentException>(() => BackwardKernels.AddOuterProducts<float>(new float[12], 3, 4, new float[5], new float[100], 10, 2));
        Assert.Equal("dA", error.ParamName);
        error = Assert.Throws<ArgumentException>(() => BackwardKernels.AddOuterProducts<float>(new float[12], 3, 4, new float[6], new float[13], 10, 2));
        Assert.Equal("x", error.ParamName);
    }

    private static double[] Values(Random random, int count) => Enumerable.Range(0, count).Select(_ => random.NextDouble() * 2 - 1).ToArray();
}
