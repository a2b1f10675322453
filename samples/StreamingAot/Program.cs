// StreamingAot: anomaly scoring of many sensor streams, one sample at a time, with a recurrent model whose weights are
// compiled into the (native) executable. Every stream is one Channel value in an array: its model state and its
// detector; all streams share the one set of weights in the model. See README.md.
using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text.Unicode;
using RnnGen;
using StreamingAot;

const string Usage = """
    usage: StreamingAot [FILE | -] [--replicas N] [--max-streams N] [--trace FILE]
           StreamingAot --verify [REFERENCE]

      FILE             samples, one per line: 'value' (stream 0) or 'stream,value'; '#' starts a comment line.
                       '-' reads standard input as it arrives. Default: the demo input built into the program
                       (data/sensors.csv: 8 machines x 1500 samples).
      --replicas N     run every input stream on N independent states (load test; all N must agree). Default 1.
      --max-streams N  stream numbers go from 0 to N - 1. Default 64.
      --trace FILE     also write machine,sample,value,prediction,score,alert for every sample (replica 0) to FILE.
      --verify         compare the compiled-in model with PyTorch's outputs (default: the built-in
                       data/reference.safetensors).

    Exit status: 0 ok; 1 the hot path allocated, or replicas disagree, or --verify failed; 2 bad arguments or input.
    """;

try
{
    string? file = null, trace = null, reference = null;
    int replicas = 1, maxStreams = 64;
    bool verify = false;
    for (int i = 0; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--replicas": replicas = PositiveInt(args, ref i, 100_000); break;
            case "--max-streams": maxStreams = PositiveInt(args, ref i, 1_000_000); break;
            case "--trace": trace = i + 1 < args.Length ? args[++i] : throw new ArgumentException("--trace takes a file name"); break;
            case "--verify": verify = true; break;
            case "-h" or "--help": Console.WriteLine(Usage); return 0;
            case var a when a == "-" || !a.StartsWith('-'):
                if ((verify ? reference : file) is not null) throw new ArgumentException($"unexpected argument '{a}'");
                if (verify) reference = a; else file = a;
                break;
            default: throw new ArgumentException($"unknown option '{args[i]}'");
        }
    }
    if (verify) return Verify(reference);
    return Run(file, replicas, maxStreams, trace);
}
catch (Exception e) when (e is ArgumentException or FormatException or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"StreamingAot: {e.Message}");
    Console.Error.WriteLine();
    Console.Error.WriteLine(Usage);
    return 2;
}

static int Run(string? path, int replicas, int maxStreams, string? tracePath)
{
    var model = new VibrationPredictor();                 // the weights are already in: no file is read
    VibrationPredictor.State rest = model.RestState;      // computed once, shared as the start of every stream
    var channels = new Channel[checked(maxStreams * replicas)];
    for (int i = 0; i < channels.Length; i++) channels[i].State = rest;

    PrintModel();
    string name = path switch { null => "the built-in demo input (data/sensors.csv)", "-" => "standard input", _ => path };
    Console.WriteLine($"input:   {name}, {replicas} independent state(s) per stream, {Unsafe.SizeOf<Channel>()} bytes each (model state + detector)");
    Console.WriteLine();

    using Stream input = path switch { null => BuiltIn("sensors.csv"), "-" => Console.OpenStandardInput(), _ => File.OpenRead(path) };
    var reader = new SampleReader(input, maxStreams);
    using var output = new Utf8Output(Console.OpenStandardOutput());
    using Utf8Output? trace = tracePath is null ? null : new Utf8Output(File.Create(tracePath));
    trace?.Write($"machine,sample,value,prediction,score,alert\n");
    var latency = new LatencyHistogram();
    Span<float> x = stackalloc float[VibrationPredictor.InputSize];
    Span<float> y = stackalloc float[VibrationPredictor.OutputSize];
    long timerOverhead = TimerOverhead();
    WarmUp(model, rest);
    reader.Prime();                                       // the first read (standard input initializes itself then)

    // ── The hot path: every sample of every stream, as it is read ──────────────────────────────────────────────────
    long samples = 0;
    long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
    long started = Stopwatch.GetTimestamp();
    while (reader.TryRead(out int stream, out float value))
    {
        samples++;
        x[0] = value;
        for (int r = 0; r < replicas; r++)
        {
            ref Channel channel = ref channels[stream * replicas + r];
            long t0 = Stopwatch.GetTimestamp();
            float predicted = channel.Detector.Prediction;
            float score = channel.Detector.Update(value, out bool opened, out bool closed);
            model.Step(ref channel.State, x, y);                // one step of this stream, from its own state
            channel.Detector.Prediction = y[0];
            latency.Record(Stopwatch.GetTimestamp() - t0);

            if (r != 0) continue;                               // the other replicas compute the same, by design
            int t = channel.Detector.Samples - 1;
            if (opened) output.Write($"machine {stream,2}  sample {t,5}  ALERT    score {score,5:F1}\n");
            if (closed) output.Write($"machine {stream,2}  sample {t,5}  cleared  peak  {channel.Detector.Alert.Peak,5:F1}, {t - channel.Detector.Alert.Start} samples\n");
            if (opened || closed) output.Flush();               // alerts are rare: show each at once
            // (Plain {value}: shortest round-trip text. The "R" format would allocate a string per call.)
            trace?.Write($"{stream},{t},{value},{predicted},{score:F3},{(channel.Detector.InAlert ? 1 : 0)}\n");
        }
    }
    long elapsed = Stopwatch.GetTimestamp() - started;
    long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
    // ────────────────────────────────────────────────────────────────────────────────────────────────────────────────
    output.Flush();

    int streams = 0;
    bool replicasAgree = true;
    for (int s = 0; s < maxStreams; s++)
    {
        ref Channel first = ref channels[s * replicas];
        if (first.Detector.Samples == 0) continue;
        streams++;
        if (first.Detector.InAlert)
            Console.WriteLine($"machine {s,2}  sample {first.Detector.Samples - 1,5}  still in alert at the end of the input (opened at {first.Detector.Alert.Start}, peak {first.Detector.Alert.Peak:F1})");
        for (int r = 1; r < replicas; r++)
        {
            ref Channel other = ref channels[s * replicas + r];
            replicasAgree &= other.State.Values.SequenceEqual(first.State.Values) && other.Detector.Prediction == first.Detector.Prediction;
        }
    }

    long steps = latency.Count;
    double seconds = elapsed / (double)Stopwatch.Frequency;
    Console.WriteLine();
    Console.WriteLine($"streams:    {streams} ({streams * replicas} independent states), {samples:N0} samples read, {steps:N0} model steps");
    Console.WriteLine($"throughput: {steps / seconds / 1e6:F2} M steps/s over {seconds * 1e3:F1} ms (reading, parsing, model, scoring, output; one thread)");
    Console.WriteLine($"latency:    p50 {Time(latency.PercentileNanoseconds(0.50))}, p99 {Time(latency.PercentileNanoseconds(0.99))}, max {Time(latency.MaxNanoseconds)} per step (Step + score; timer overhead {Time(LatencyHistogram.Nanoseconds(timerOverhead))} included)");
    Console.WriteLine($"allocated:  {allocated} bytes on the hot path ({steps:N0} steps)");
    if (replicas > 1) Console.WriteLine($"replicas:   {(replicasAgree ? "all agree" : "DISAGREE")} ({replicas} per stream, compared bit for bit)");

    int status = 0;
    if (allocated != 0)
    {
        Console.Error.WriteLine($"StreamingAot: FAILED: the hot path allocated {allocated} bytes");
        status = 1;
    }
    if (!replicasAgree)
    {
        Console.Error.WriteLine("StreamingAot: FAILED: independent states of the same input disagree");
        status = 1;
    }
    return status;
}

// Compares the compiled-in model with PyTorch (train/train.py): the same rest state, and the same predictions for
// one machine's 1500 samples streamed one Step at a time from it, computed by PyTorch in float64.
static int Verify(string? path)
{
    const double Tolerance = 1e-4;                         // float32 inference against float64 PyTorch, values ≈ 1 g
    PrintModel();
    SafetensorsFile reference;
    using (Stream file = path is null ? BuiltIn("reference.safetensors") : File.OpenRead(path))
        reference = SafetensorsFile.Read(file);
    float[] input = reference["input"].ToSingleArray();
    double[] restExpected = reference["rest_state"].ToDoubleArray();
    double[] expected = reference["output"].ToDoubleArray();

    var model = new VibrationPredictor();
    VibrationPredictor.State state = model.RestState;
    double restError = MaxDifference(state.Values, restExpected);
    var predictions = new float[input.Length];
    for (int t = 0; t < input.Length; t++)
        model.Step(ref state, input.AsSpan(t, 1), predictions.AsSpan(t, 1));
    double error = MaxDifference(predictions, expected);

    bool ok = restError <= Tolerance && error <= Tolerance;
    Console.WriteLine($"verify:  {Path.GetFileName(path ?? "reference.safetensors")}: rest state ({restExpected.Length} values) max |difference| {restError:E1}, "
                      + $"{input.Length} predictions max |difference| {error:E1} (tolerance {Tolerance:E0}): {(ok ? "OK" : "FAILED")}");
    return ok ? 0 : 1;
}

// The demo input and the PyTorch reference are built into the program (EmbeddedResource in StreamingAot.csproj), so the
// one executable runs anywhere without files.
static Stream BuiltIn(string name) =>
    typeof(Channel).Assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"no built-in {name}");

static void PrintModel()
{
    Console.WriteLine($"model:   VibrationPredictor, GRU(1 -> {new VibrationPredictor().HiddenSize(0)}) + Dense(1), "
                      + $"{VibrationPredictor.ParameterCount:N0} parameters ({VibrationPredictor.ParameterCount * sizeof(float) / 1024.0:F1} KiB) compiled in");
    // A NativeAOT executable compiles nothing at run time (RuntimeFeature.IsDynamicCodeCompiled is no test here: with
    // PublishAot the JIT build is configured to report false too, to behave like the native one).
    bool native = System.Runtime.JitInfo.GetCompiledMethodCount() == 0;
    Console.WriteLine($"runtime: {(native ? "NativeAOT" : "JIT")}, .NET {Environment.Version}, "
                      + $"Vector<float> {Vector<float>.Count} lanes, Stopwatch {Stopwatch.Frequency / 1e6:F0} MHz");
}

// Runs each code path of the hot loop once, outside the measurement, so one-time initialization is not counted.
static void WarmUp(VibrationPredictor model, VibrationPredictor.State rest)
{
    var channel = new Channel { State = rest };
    Span<float> y = stackalloc float[VibrationPredictor.OutputSize];
    model.Step(ref channel.State, [0.5f], y);
    channel.Detector.Update(y[0], out _, out _);
    Span<byte> scratch = stackalloc byte[64];
    Utf8.TryWrite(scratch, CultureInfo.InvariantCulture, $"{1,2} {y[0],5:F1} {y[0]}", out _);
    _ = float.TryParse("0.5"u8, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
    _ = int.TryParse("1"u8, NumberStyles.None, CultureInfo.InvariantCulture, out _);
}

// The median cost of one Stopwatch.GetTimestamp() pair, which every recorded latency includes.
static long TimerOverhead()
{
    var histogram = new LatencyHistogram();
    for (int i = 0; i < 100_000; i++)
    {
        long t0 = Stopwatch.GetTimestamp();
        histogram.Record(Stopwatch.GetTimestamp() - t0);
    }
    return (long)Math.Round(histogram.PercentileNanoseconds(0.5) * Stopwatch.Frequency / 1e9);
}

static double MaxDifference(ReadOnlySpan<float> actual, double[] expected)
{
    if (actual.Length != expected.Length) throw new FormatException($"the reference has {expected.Length} values, the model {actual.Length}");
    double max = 0;
    for (int i = 0; i < actual.Length; i++) max = Math.Max(max, Math.Abs(actual[i] - expected[i]));
    return max;
}

static string Time(double ns) => ns < 1e3 ? $"{ns:F0} ns" : ns < 1e6 ? $"{ns / 1e3:F1} µs" : $"{ns / 1e6:F1} ms";

static int PositiveInt(string[] args, ref int i, int max)
{
    string option = args[i];
    if (++i >= args.Length || !int.TryParse(args[i], NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < 1 || value > max)
        throw new ArgumentException($"{option} takes a number from 1 to {max}");
    return value;
}

/// <summary>One stream: its model state (32 floats) and its detector, side by side in one array element.</summary>
internal struct Channel
{
    public VibrationPredictor.State State;
    public AnomalyDetector Detector;
}
