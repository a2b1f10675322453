using System;

namespace StreamingAot;

/// <summary>
/// Per-stream anomaly score from the model's prediction error, a plain value type kept next to the stream's model state.
/// </summary>
/// <remarks>
/// For each sample x the error is e = x − (the prediction made one step earlier). The score compares the recent error
/// with what is normal for this stream:
/// <code>
///   recent   = EWMA of e² with α = 0.1 (about the last 10–20 samples)
///   baseline = mean of e² over samples 50–99, then an EWMA with α = 1/512 that learns only while no alert is open
///   score    = √(recent / baseline)        (1 = a normal error; 4 = four times the normal RMS error)
/// </code>
/// The first 50 samples of a stream are not scored (the model locks on to the signal), the next 50 calibrate the
/// baseline. An alert opens when the score reaches 4 and closes when it falls below 2.
/// </remarks>
public struct AnomalyDetector
{
    public const int Ignored = 50, Calibration = 50;
    public const float Raise = 4f, Clear = 2f;
    private const float RecentRate = 0.1f, BaselineRate = 1f / 512;

    /// <summary>The model's prediction of the next sample (written by the caller after each step).</summary>
    public float Prediction;

    private int _samples;
    private float _recent, _baseline;
    private bool _open;
    private int _alertStart;
    private float _peak;

    /// <summary>Samples seen so far.</summary>
    public readonly int Samples => _samples;

    /// <summary>An alert is open.</summary>
    public readonly bool InAlert => _open;

    /// <summary>The open alert, or the last one closed: the sample that opened it and its peak score.</summary>
    public readonly (int Start, float Peak) Alert => (_alertStart, _peak);

    /// <summary>Scores <paramref name="value"/> against <see cref="Prediction"/>; returns the score (0 while warming up).</summary>
    /// <param name="value">The new sample.</param>
    /// <param name="opened">True when this sample opened an alert.</param>
    /// <param name="closed">True when this sample closed one (<see cref="Alert"/> describes it until the next opens).</param>
    public float Update(float value, out bool opened, out bool closed)
    {
        opened = closed = false;
        int t = _samples++;
        float e = value - Prediction;
        float e2 = e * e;
        if (t < Ignored) return 0;
        _recent += RecentRate * (e2 - _recent);
        if (t < Ignored + Calibration)
        {
            _baseline += (e2 - _baseline) / (t - Ignored + 1);   // running mean of the calibration samples
            return 0;
        }

        float score = MathF.Sqrt(_recent / MathF.Max(_baseline, 1e-12f));
        if (_open)
        {
            _peak = MathF.Max(_peak, score);
            if (score < Clear) {
                _open = false;
                closed = true;
            }
        }
        else if (score >= Raise)
        {
            _open = opened = true;
            _alertStart = t;
            _peak = score;
        }
        if (!_open) _baseline += BaselineRate * (e2 - _baseline);
        return score;
    }
}
