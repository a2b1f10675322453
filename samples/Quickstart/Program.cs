// RnnGen quickstart: a tiny LSTM, trained in PyTorch (tests/reference/make_reference.py) to predict the next sample
// of a sine wave, compiled into C# by the generator and run on the sequence, then streamed one step at a time.
using System;
using System.IO;
using RnnGen;

var model = new SineLstm();
model.LoadSafetensors(Path.Combine(AppContext.BaseDirectory, "sine-lstm.safetensors"));
Console.WriteLine($"SineLstm: {SineLstm.InputSize} input, {SineLstm.OutputSize} output, {SineLstm.ParameterCount} parameters.");

// 1. A whole sequence at once: x[t] = sin(0.3 t), the model predicts x[t + 1].
const int Steps = 32;
var inputs = new float[Steps];
for (int t = 0; t < Steps; t++) inputs[t] = MathF.Sin(0.3f * t);
var predictions = new float[Steps];
model.Forward(inputs, predictions);

Console.WriteLine();
Console.WriteLine("  t   sin(0.3t)   predicted sin(0.3(t+1))   actual");
for (int t = 0; t < Steps; t += 4)
    Console.WriteLine($"{t,3}   {inputs[t],9:F4}   {predictions[t],23:F4}   {MathF.Sin(0.3f * (t + 1)),6:F4}");

// 2. Streaming: the state carried in the model continues from step 32; feed each prediction back as the next input.
Console.WriteLine();
Console.Write("Generated continuation:");
Span<float> x = [predictions[Steps - 1]];
Span<float> y = stackalloc float[SineLstm.OutputSize];
for (int t = Steps; t < Steps + 8; t++)
{
    model.Step(x, y);
    Console.Write($" {y[0]:F3}");
    x[0] = y[0];
}
Console.WriteLine();
Console.Write("Actual continuation:   ");
for (int t = Steps + 1; t < Steps + 9; t++) Console.Write($" {MathF.Sin(0.3f * t):F3}");
Console.WriteLine();

/// <summary>LSTM(1 → 16) with a linear read-out; the generator writes the rest of this class.</summary>
[RecurrentModel(inputSize: 1)]
[Lstm(16)]
[Dense(1)]
public partial class SineLstm;
