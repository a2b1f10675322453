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
    public static int Sequence(int inputs, int inputSize, int outputs, int outputSize, string outputsName = "outputs")
    {
        int steps = Steps(inputs, inputSize, "inputs");
        if (outputs != steps * outputSize)
            ThrowSequence($"{outputsName} has length {outputs}, expected {steps * outputSize} ({steps} steps × OutputSize {outputSize}).", outputsName);
        return steps;
    }

    /// <summary>
    /// Throws unless there is at least one stream and the inputs hold whole steps of every stream, time-major
    /// <c>[steps, streams, InputSize]</c>, with outputs to match; returns the number of steps.
    /// </summary>
    public static int Batch(int streams, int inputs, int inputSize, int outputs, int outputSize)
    {
        if (streams == 0) ThrowSequence("states is empty: a batch needs at least one stream's State.", "states");
        if (inputs % (streams * inputSize) != 0)
            ThrowSequence($"inputs has length {inputs}, which is not a multiple of streams × InputSize ({streams} × {inputSize}): " +
                $"expected time-major [steps, {streams}, {inputSize}].", "inputs");
        int steps = inputs / (streams * inputSize);
        if (outputs != steps * streams * outputSize)
            ThrowSequence($"outputs has length {outputs}, expected {steps * streams * outputSize} ({steps} steps × {streams} streams × OutputSize {outputSize}).", "outputs");
        return steps;
    }

    /// <summary>Throws unless the inputs hold whole steps; returns the number of steps.</summary>
    public static int Steps(int inputs, int inputSize, string inputsName)
    {
        if (inputs % inputSize != 0)
            ThrowSequence($"{inputsName} has length {inputs}, which is not a multiple of InputSize ({inputSize}): expected [steps, {inputSize}] row-major.", inputsName);
        return inputs / inputSize;
    }

    /// <summary>Throws unless a training forward can record <paramref name="steps"/> steps.</summary>
    public static void RecordableSteps(int steps, int sequenceLength, string argument)
    {
        if (steps > sequenceLength)
            ThrowSequence($"{argument} has {steps} steps, but a training forward records at most SequenceLength = {sequenceLength}. " +
                "Train on windows of at most that many steps (the state carries over between windows: truncated BPTT), " +
                "or raise SequenceLength on [RecurrentModel].", argument);
        if (steps == 0)
            ThrowSequence($"{argument} is empty: a training forward needs at least one step.", argument);
    }

    /// <summary>Throws unless <paramref name="token"/> is in 0..<paramref name="vocabulary"/>-1.</summary>
    public static void Token(int token, int vocabulary, string argument)
    {
        if ((uint)token >= (uint)vocabulary)
            throw new ArgumentOutOfRangeException(argument, token, $"A token id must be in 0..{vocabulary - 1} (VocabularySize {vocabulary}).");
    }

    /// <summary>Throws unless every token is in 0..<paramref name="vocabulary"/>-1.</summary>
    public static void Tokens(ReadOnlySpan<int> tokens, int vocabulary, string argument)
    {
        for (int i = 0; i < tokens.Length; i++)
            if ((uint)tokens[i] >= (uint)vocabulary)
                throw new ArgumentOutOfRangeException(argument, tokens[i], $"{argument}[{i}] must be in 0..{vocabulary - 1} (VocabularySize {vocabulary}).");
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
