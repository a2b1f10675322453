using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;

namespace RnnGen;

/// <summary>Argument checks shared by generated models; each throws with the argument's name and the expected size.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Guard
{
    /// <summary>Throws unless <paramref name="actual"/> equals <paramref name="expected"/>.</summary>
    public static void Length(int actual, int expected, string argument, string meaning)
    {
        if (actual != expected) ThrowLength(actual, expected, argument, meaning);
    }

    /// <summary>Throws unless the inputs hold whole steps and the outputs match them; returns the number of steps.</summary>
    public static int Sequence(int inputs, int inputSize, int outputs, int outputSize)
    {
        if (inputs % inputSize != 0)
            ThrowSequence($"inputs has length {inputs}, which is not a multiple of InputSize ({inputSize}): expected [steps, {inputSize}] row-major.", "inputs");
        int steps = inputs / inputSize;
        if (outputs != steps * outputSize)
            ThrowSequence($"outputs has length {outputs}, expected {steps * outputSize} ({steps} steps × OutputSize {outputSize}).", "outputs");
        return steps;
    }

    /// <summary>Throws unless <paramref name="layer"/> is in 0..<paramref name="count"/>-1.</summary>
    public static void Layer(int layer, int count)
    {
        if ((uint)layer >= (uint)count)
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"The model has {count} recurrent layer(s): 0..{count - 1}.");
    }

    [DoesNotReturn]
    private static void ThrowLength(int actual, int expected, string argument, string meaning) =>
        throw new ArgumentException($"{argument} has length {actual}, expected {expected} ({meaning}).", argument);

    [DoesNotReturn]
    private static void ThrowSequence(string message, string argument) => throw new ArgumentException(message, argument);
}
