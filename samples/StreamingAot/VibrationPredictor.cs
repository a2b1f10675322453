using RnnGen;

namespace StreamingAot;

/// <summary>
/// GRU(1 → 32) with a linear read-out, trained in PyTorch (train/train.py) to predict the next sample of a machine's
/// vibration signal. <c>Weights</c> compiles data/vibration-gru.safetensors into the binary (checked against this
/// declaration at build time); <c>RestState</c> makes every new stream start from the state the model settles to when
/// the sensor reads zero, instead of from h = 0.
/// </summary>
[RecurrentModel(inputSize: 1, Weights = "vibration-gru.safetensors", RestState = true)]
[Gru(32)]
[Dense(1)]
public sealed partial class VibrationPredictor;
