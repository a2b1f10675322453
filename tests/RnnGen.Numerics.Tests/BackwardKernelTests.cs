using System;
using System.Linq;
using Xunit;

namespace RnnGen.Numerics.Tests;

/// <summary>
/// The backward pass's kernels (<see cref="BackwardKernels"/>) against plain loops, on sizes that reach every block:
/// the eight-, four- and one-vector column blocks with even and odd row counts, six steps at a time and the steps
/// left over, the outer products' four-row and eight-row blocks with rows left over, several panels of steps, the
/// scalar tails, and inputs narrower than a vector (vectors down the rows, 32 at a time, the rest row by row); and
/// their length checks. The gradient checks and the PyTorch gradient parity tests cover them inside whole models.
/// </summary>
public class BackwardKernelTests
{
    [Theory]
    [InlineData(5, 1)]
    [InlineData(12, 7)]
    [InlineData(33, 45)]
    [InlineData(64, 128)]
    [InlineData(7, 16)]
    [InlineData(9, 8)]
    [InlineData(13, 20)]
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
    [InlineData(5, 1, 4)]
    [InlineData(9, 16, 7)]
    [InlineData(33, 45, 13)]
    [InlineData(64, 128, 6)]
    [InlineData(12, 3, 2)]
    [InlineData(7, 12, 9)]
    public void TransposedProductsMatchLoops(int rows, int columns, int steps)
    {
        var random = new Random(rows * 1000 + columns + steps);
        double[] w = Values(random, rows * columns), dA = Values(random, steps * rows), dx = Values(random, steps * columns);
        double[] expected = (double[])dx.Clone();
        for (int t = 0; t < steps; t++)
            for (int c = 0; c < columns; c++)
                for (int r = 0; r < rows; r++) expected[t * columns + c] += dA[t * rows + r] * w[r * columns + c];
        BackwardKernels.AddTransposedProducts<double>(w, rows, columns, dA, dx, steps);
        for (int i = 0; i < dx.Length; i++) Assert.Equal(expected[i], dx[i], 1e-12);
    }

    [Theory]
    [InlineData(3, 1, 3)]
    [InlineData(8, 5, 8)]
    [InlineData(37, 70, 37)]
    [InlineData(64, 2, 64)]
    [InlineData(20, 9, 60)]
    public void StepSumsMatchLoops(int rows, int steps, int stride)
    {
        var random = new Random(rows + 100 * steps);
        double[] gradient = Values(random, rows), dA = Values(random, (steps - 1) * stride + rows);
        double[] expected = (double[])gradient.Clone();
        for (int t = 0; t < steps; t++)
            for (int r = 0; r < rows; r++) expected[r] += dA[t * stride + r];
        BackwardKernels.AddStepSums<double>(gradient, rows, dA, stride, steps);
        for (int r = 0; r < rows; r++) Assert.Equal(expected[r], gradient[r], 1e-12);
    }

    [Theory]
    [InlineData(4, 1, 3, 5)]
    [InlineData(128, 1, 64, 3)]
    [InlineData(75, 3, 9, 4)]
    [InlineData(12, 7, 64, 20)]
    [InlineData(33, 45, 17, 50)]
    [InlineData(16, 24, 130, 30)]
    [InlineData(10, 8, 65, 9)]
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
        error = Assert.Throws<ArgumentException>(() => BackwardKernels.AddTransposedProducts<float>(new float[12], 3, 4, new float[6], new float[7], 2));
        Assert.Equal("dx", error.ParamName);
        error = Assert.Throws<ArgumentException>(() => BackwardKernels.AddStepSums<float>(new float[3], 3, new float[5], 3, 2));
        Assert.Equal("dA", error.ParamName);
    }

    [Fact]
    public void LanesLoadAndStoreAVectorAtAnIndex()
    {
        int lanes = System.Numerics.Vector<float>.Count;
        float[] values = Enumerable.Range(0, lanes + 2).Select(i => (float)i).ToArray();
        Assert.Equal(2f, Lanes.Load<float>(values, 2)[0]);
        Assert.Equal(lanes + 1f, Lanes.Load<float>(values, 2)[lanes - 1]);
        Lanes.Store<float>(values, 1, new System.Numerics.Vector<float>(-1f));
        Assert.Equal(new[] { 0f }.Concat(Enumerable.Repeat(-1f, lanes)).Append(lanes + 1f), values);
    }

    private static double[] Values(Random random, int count) => Enumerable.Range(0, count).Select(_ => random.NextDouble() * 2 - 1).ToArray();
}
