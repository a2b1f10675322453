using System;
using System.Linq;
using Xunit;

namespace RnnGen.Numerics.Tests;

/// <summary>
/// Adam updates whole vectors and the last few parameters one at a time: the two paths must give the same bits, so a
/// parameter's trajectory does not depend on where it sits in the array.
/// </summary>
public class AdamLanesTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void VectorLanesAndTheScalarTailGiveTheSameBits(bool decoupled)
    {
        // 16 identical groups of 3 parameters: with 4 or 8 float lanes, some copies fall in vectors and the last
        // ones in the scalar tail; every copy must stay bit-identical to the first through 20 steps.
        const int copies = 16 + 1, width = 3;
        int count = copies * width;
        Optimizer<float> adam = decoupled ? new AdamW<float>(count, learningRate: 0.01, weightDecay: 0.1) : new Adam<float>(count, learningRate: 0.01, weightDecay: 0.05);
        float[] parameters = Enumerable.Range(0, count).Select(i => 0.3f * (i % width) - 0.2f).ToArray();
        float[] gradients = new float[count];
        for (int step = 0; step < 20; step++)
        {
            for (int i = 0; i < count; i++) gradients[i] = MathF.Sin(step * 0.7f + i % width) * 0.5f;
            adam.Step(parameters, gradients);
            for (int i = width; i < count; i++)
                Assert.Equal(BitConverter.SingleToInt32Bits(parameters[i % width]), BitConverter.SingleToInt32Bits(parameters[i]));
        }
        Assert.NotEqual(0.3f * 1 - 0.2f, parameters[1]); // it moved
    }
}
