// The program of the package consumer test (tests/PackageConsumer/run.sh): models generated from the RnnGen package,
// with hand-set weights, checked against values computed here without the generated code.
//   1. A running sum, exact in float: SimpleRNN(1, relu) with W_ih = W_hh = 1 and no bias, then y = 2h + 1.
//   2. LSTM(2 → 3) → GRU(3 → 2) → Dense(2 → 1, sigmoid) in double, against a plain scalar implementation of PyTorch's
//      equations; Forward, Step on a separate State, and the IRecurrentModel<T> interface.
//   3. A safetensors round trip of model 2 through a temporary file (the runtime library's I/O, also under NativeAOT).
// Prints one line per check and "PackageConsumer: OK" at the end; any failed check makes the exit code 1.
using RnnGen;

int failures = 0;

// ── 1. Running sum ──────────────────────────────────────────────────────────────────────────────────────────────
var sum = new RunningSum();
sum.Parameter("rnn.weight_ih_l0")[0] = 1;
sum.Parameter("rnn.weight_hh_l0")[0] = 1;
sum.Parameter("head.weight")[0] = 2;
sum.Parameter("head.bias")[0] = 1;

float[] xs = [1, 2, 3, 4];
var ys = new float[xs.Length];
sum.Forward(xs, ys);
Check("running sum, Forward", string.Join(" ", ys), "3 7 13 21");

Span<float> y = stackalloc float[RunningSum.OutputSize];
sum.Step([5f], y);                                   // continues from h = 10
Check("running sum, Step after Forward", y[0].ToString(), "31");

var fresh = new RunningSum.State();                  // a second stream starts from zero
sum.Step(ref fresh, [5f], y);
Check("running sum, Step on a new State", y[0].ToString(), "11");

// ── 2. LSTM → GRU → Dense(sigmoid) ──────────────────────────────────────────────────────────────────────────────
var lstmWih = Values(12 * 2, 1); var lstmWhh = Values(12 * 3, 2); var lstmBih = Values(12, 3); var lstmBhh = Values(12, 4);
var gruWih = Values(6 * 3, 5); var gruWhh = Values(6 * 2, 6); var gruBih = Values(6, 7); var gruBhh = Values(6, 8);
var headW = Values(1 * 2, 9); var headB = Values(1, 10);

var model = new LstmGru();
lstmWih.CopyTo(model.Parameter("rnn.weight_ih_l0"));
lstmWhh.CopyTo(model.Parameter("rnn.weight_hh_l0"));
lstmBih.CopyTo(model.Parameter("rnn.bias_ih_l0"));
lstmBhh.CopyTo(model.Parameter("rnn.bias_hh_l0"));
gruWih.CopyTo(model.Parameter("gru.weight_ih_l0"));
gruWhh.CopyTo(model.Parameter("gru.weight_hh_l0"));
gruBih.CopyTo(model.Parameter("gru.bias_ih_l0"));
gruBhh.CopyTo(model.Parameter("gru.bias_hh_l0"));
headW.CopyTo(model.Parameter("head.weight"));
headB.CopyTo(model.Parameter("head.bias"));

IRecurrentModel<double> generic = model;
Check("LSTM → GRU, shape", $"{generic.InputSize} -> {generic.OutputSize}, {generic.LayerCount} layers, {LstmGru.ParameterCount} parameters, "
                     + string.Join(" ", LstmGru.ParameterLayout.Select(p => p.ToString())),
      "2 -> 1, 2 layers, 129 parameters, rnn.weight_ih_l0 [12, 2] rnn.weight_hh_l0 [12, 3] rnn.bias_ih_l0 [12] "
      + "rnn.bias_hh_l0 [12] gru.weight_ih_l0 [6, 3] gru.weight_hh_l0 [6, 2] gru.bias_ih_l0 [6] gru.bias_hh_l0 [6] "
      + "head.weight [1, 2] head.bias [1]");

const int Steps = 20;
var inputs = new double[Steps * LstmGru.InputSize];
for (int t = 0; t < Steps; t++)
    for (int j = 0; j < LstmGru.InputSize; j++)
        inputs[t * LstmGru.InputSize + j] = 1.5 * Math.Cos(0.4 * t + j);

var expected = Reference(inputs, Steps);
var outputs = new double[Steps * LstmGru.OutputSize];
generic.Forward(inputs, outputs);
CheckClose("LSTM → GRU, Forward against the scalar reference", outputs, expected, 1e-12);

var stream = new LstmGru.State();
var stepped = new double[Steps * LstmGru.OutputSize];
for (int t = 0; t < Steps; t++)
    model.Step(ref stream, inputs.AsSpan(t * LstmGru.InputSize, LstmGru.InputSize), stepped.AsSpan(t * LstmGru.OutputSize, LstmGru.OutputSize));
CheckClose("LSTM → GRU, Step on a State against Forward", stepped, outputs, 0);

// ── 3. safetensors round trip ───────────────────────────────────────────────────────────────────────────────────
string path = Path.Combine(Path.GetTempPath(), $"rnngen-consumer-{Environment.ProcessId}.safetensors");
try
{
    model.SaveSafetensors(path);
    var loaded = new LstmGru();
    loaded.LoadSafetensors(path);
    Check("safetensors round trip, parameters", loaded.Parameters.SequenceEqual(model.Parameters).ToString(), "True");
    var again = new double[outputs.Length];
    loaded.Forward(inputs, again);
    CheckClose("safetensors round trip, outputs", again, outputs, 0);
}
finally
{
    File.Delete(path);
}

Console.WriteLine(failures == 0 ? "PackageConsumer: OK" : $"PackageConsumer: {failures} check(s) FAILED");
return failures == 0 ? 0 : 1;

// Deterministic weights in [-0.6, 0.6], different for each tensor.
static double[] Values(int count, int tensor)
{
    var values = new double[count];
    for (int k = 0; k < count; k++) values[k] = 0.6 * Math.Sin(1.3 * k + 0.7 * tensor);
    return values;
}

static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

// PyTorch's nn.LSTM, nn.GRU (reset gate after the recurrent product) and nn.Linear + sigmoid, one scalar at a time.
double[] Reference(double[] x, int steps)
{
    double[] h1 = new double[3], c1 = new double[3], h2 = new double[2], result = new double[steps];
    for (int t = 0; t < steps; t++)
    {
        // LSTM(2 → 3): gate rows [i, f, g, o].
        var gates = new double[12];
        for (int r = 0; r < 12; r++)
        {
            double a = lstmBih[r] + lstmBhh[r];
            for (int j = 0; j < 2; j++) a += lstmWih[r * 2 + j] * x[t * 2 + j];
            for (int j = 0; j < 3; j++) a += lstmWhh[r * 3 + j] * h1[j];
            gates[r] = a;
        }
        for (int k = 0; k < 3; k++)
        {
            double i = Sigmoid(gates[k]), f = Sigmoid(gates[3 + k]), g = Math.Tanh(gates[6 + k]), o = Sigmoid(gates[9 + k]);
            c1[k] = f * c1[k] + i * g;
            h1[k] = o * Math.Tanh(c1[k]);
        }

        // GRU(3 → 2): gate rows [r, z, n]; n = tanh(W_in x + b_in + r * (W_hn h + b_hn)).
        double[] gi = new double[6], gh = new double[6];
        for (int r = 0; r < 6; r++)
        {
            gi[r] = gruBih[r];
            for (int j = 0; j < 3; j++) gi[r] += gruWih[r * 3 + j] * h1[j];
            gh[r] = gruBhh[r];
            for (int j = 0; j < 2; j++) gh[r] += gruWhh[r * 2 + j] * h2[j];
        }
        for (int k = 0; k < 2; k++)
        {
            double reset = Sigmoid(gi[k] + gh[k]), update = Sigmoid(gi[2 + k] + gh[2 + k]);
            double candidate = Math.Tanh(gi[4 + k] + reset * gh[4 + k]);
            h2[k] = (1 - update) * candidate + update * h2[k];
        }

        // Dense(2 → 1, sigmoid).
        result[t] = Sigmoid(headB[0] + headW[0] * h2[0] + headW[1] * h2[1]);
    }
    return result;
}

void Check(string what, string actual, string expectedText)
{
    bool ok = actual == expectedText;
    Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {what}: {actual}{(ok ? "" : $" (expected {expectedText})")}");
    if (!ok) failures++;
}

void CheckClose(string what, double[] actual, double[] reference, double tolerance)
{
    double worst = 0;
    for (int k = 0; k < actual.Length; k++) worst = Math.Max(worst, Math.Abs(actual[k] - reference[k]));
    bool ok = actual.Length == reference.Length && worst <= tolerance;
    Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {what}: {actual.Length} outputs, max |difference| {worst:E1} (allowed {tolerance:E0}), "
                      + $"last {actual[^1]:F6}");
    if (!ok) failures++;
}

/// <summary>h_t = relu(x_t + h_{t-1}), y_t = 2 h_t + 1 once the weights are set: a running sum.</summary>
[RecurrentModel(inputSize: 1)]
[SimpleRnn(1, Activation = Activation.Relu, Bias = false)]
[Dense(1)]
public partial class RunningSum;

/// <summary>A two-layer stack with a sigmoid read-out, in double.</summary>
[RecurrentModel(inputSize: 2, ElementType = typeof(double))]
[Lstm(3)]
[Gru(2, Module = "gru")]
[Dense(1, Activation = Activation.Sigmoid)]
public partial class LstmGru;
