// RnnGen sample: a character-level GRU, compiled to C# by RnnGen, learns English first names with cross-entropy and
// backpropagation through time, then invents new ones.
using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Invocation;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using RnnGen;
using Spectre.Console;
using RnnGen.Samples;

namespace NameGenerator;

// Token 0 marks both ends of a name; 1–26 are a–z, 27 is '-'. The embedding turns each token into 16 numbers, the GRU
// reads them one by one, and the Dense head gives 28 logits for the next token (no activation: the cross-entropy
// loss and the sampler apply the softmax). Hidden sizes are compile-time constants, so --hidden picks a declared class.
[RecurrentModel(inputSize: 16, SequenceLength = 16)] [Embedding(28)] [Gru(64)] [Dense(28)] public partial class NameGru64;
[RecurrentModel(inputSize: 16, SequenceLength = 16)] [Embedding(28)] [Gru(128)] [Dense(28)] public partial class NameGru128;

public static class Program
{
    private const int Boundary = 0;
    private const string Letters = "abcdefghijklmnopqrstuvwxyz-";
    private const int Vocabulary = 28;
    private const int MaxLength = 15;                 // SequenceLength 16 = the start token + 15 characters
    private const int NoveltySamples = 1000;
    private const int SplitSeed = 20240601;           // the validation names do not depend on --seed
    private const double LearningRate = 3e-3;

    public static int Main(string[] args)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 120;

        var hidden = new Option<int>("--hidden")
        {
            Description = "GRU hidden size: 64 or 128 (each is a class declared in Program.cs; RnnGen fixes sizes at compile time).",
            DefaultValueFactory = _ => 128,
            HelpName = "64|128",
        };
        hidden.Validators.Add(r =>
        {
            int v = r.GetValueOrDefault<int>();
            if (v is not (64 or 128)) r.AddError($"--hidden must be 64 or 128 (the sizes declared in Program.cs); got {v}.");
        });
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training names.", DefaultValueFactory = _ => 5, HelpName = "count" };
        epochs.Validators.Add(r =>
        {
            int v = r.GetValueOrDefault<int>();
            if (v is < 1 or > 1000) r.AddError($"--epochs must be between 1 and 1000; got {v}.");
        });
        var seed = new Option<int>("--seed")
        {
            Description = "Seed for the initial weights, the order of the training names and the sampling; the same seed gives the same run.",
            DefaultValueFactory = _ => 1,
            HelpName = "number",
        };
        var temperature = new Option<double>("--temperature")
        {
            Description = "Sampling temperature: the logits are divided by it before the softmax. Lower (0.5) gives safer, more common " +
                          "names; 1.0 samples the model's own distribution; higher gives stranger ones.",
            DefaultValueFactory = _ => 0.8,
            HelpName = "t",
        };
        temperature.Validators.Add(r =>
        {
            double v = r.GetValueOrDefault<double>();
            if (!(v > 0 && v <= 5)) r.AddError($"--temperature must be greater than 0 and at most 5; got {v}.");
        });
        var count = new Option<int>("--count")
        {
            Description = $"How many of the {NoveltySamples:N0} sampled names (on which novelty is measured) to print.",
            DefaultValueFactory = _ => 30,
            HelpName = "count",
        };
        count.Validators.Add(r =>
        {
            int v = r.GetValueOrDefault<int>();
            if (v is < 0 or > NoveltySamples) r.AddError($"--count must be between 0 and {NoveltySamples}; got {v}.");
        });
        var output = new Option<string>("--out")
        {
            Description = "Folder for the trained weights (safetensors).",
            DefaultValueFactory = _ => "out",
            HelpName = "folder",
        };

        var root = new RootCommand(
            "Trains a character-level GRU, compiled to C# by RnnGen, on 8,422 English first names (embedded), reports the " +
            "validation loss and perplexity per epoch, then samples new names and counts how many are novel.")
        {
            hidden, epochs, seed, temperature, count, output,
        };
        root.SetAction(parse => Run(parse.GetValue(hidden), parse.GetValue(epochs), parse.GetValue(seed),
            parse.GetValue(temperature), parse.GetValue(count), parse.GetValue(output)!));
        var parsed = root.Parse(args);
        if (parsed.Action is ParseErrorAction onError) onError.ShowHelp = false;   // the error and a hint, not the whole help
        int exitCode = parsed.Invoke();
        if (parsed.Errors.Count > 0) Console.Error.WriteLine("Run with --help to see the options.");
        return exitCode;
    }

    private static ITokenModel<float> CreateModel(int hidden) => hidden == 64 ? new NameGru64() : new NameGru128();

    private static int Run(int hidden, int epochs, int seed, double temperature, int count, string outFolder)
    {
        // The data: both lists, lower-cased, each name once.
        var all = ReadNames("female-first-names-en.txt").Concat(ReadNames("male-first-names-en.txt"))
            .Select(n => n.ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal).ToArray();
        var shuffled = (string[])all.Clone();
        new Random(SplitSeed).Shuffle(shuffled);
        int validationCount = all.Length / 10;
        var validation = shuffled[..validationCount];
        var train = shuffled[validationCount..];
        var trainSet = new HashSet<string>(train);
        var allSet = new HashSet<string>(all);

        var model = CreateModel(hidden);
        var optimizer = new Adam<float>(model.Parameters.Length, learningRate: LearningRate);
        const float MaxGradientNorm = 5f;

        AnsiConsole.MarkupLineInterpolated($"[bold]RnnGen NameGenerator[/]: {all.Length:N0} distinct first names (the female and male lists, embedded)");
        AnsiConsole.MarkupLineInterpolated($"Data      {train.Length:N0} names for training, {validation.Length:N0} held out for validation (a fixed split)");
        AnsiConsole.MarkupLineInterpolated($"Model     {model.GetType().Name}: Embedding({Vocabulary} → {model.InputSize}) → GRU({hidden}) → Dense({Vocabulary}), {model.Parameters.Length:N0} parameters, code generated by RnnGen");
        AnsiConsole.MarkupLineInterpolated($"Training  one name per TrainStep, softmax cross-entropy on every next character and on the end mark;");
        AnsiConsole.MarkupLineInterpolated($"          Adam lr {LearningRate:G3} decaying linearly to {LearningRate / 10:G3}, gradient norm ≤ {MaxGradientNorm}, {epochs} epochs, seed {seed}");
        var (unigram, bigram) = CountingBaselines(train, validation);
        AnsiConsole.MarkupLineInterpolated($"Reference validation perplexity: uniform {Vocabulary}.00, character frequencies {unigram:F2}, bigram (previous character) {bigram:F2}");
        AnsiConsole.WriteLine();

        model.InitializeParameters(seed);
        var random = new Random(seed);                // the order of the training names
        var previewRandom = new Random(seed + 1);     // the five names shown after each epoch
        var order = train.Select(Encode).ToArray();
        var validationTokens = validation.Select(Encode).ToArray();
        var clock = Stopwatch.StartNew();

        ProgressBar.Run((double)epochs * order.Length, task =>
            {
                for (int epoch = 1; epoch <= epochs; epoch++)
                {
                    // Learning rate: linear decay from LearningRate to a tenth of it over the run.
                    optimizer.LearningRate = (float)(LearningRate * (1 - 0.9 * (epoch - 1) / Math.Max(1, epochs - 1)));
                    random.Shuffle(order);
                    double sum = 0;
                    for (int k = 0; k < order.Length; k++)
                    {
                        var (tokens, targets) = order[k];
                        model.ResetState();
                        sum += model.TrainStep(tokens, targets, optimizer, lastStepOnly: false, maxGradientNorm: MaxGradientNorm);
                        if ((k + 1) % 100 == 0 || k + 1 == order.Length)
                            task?.Update((double)(epoch - 1) * order.Length + k + 1, $"epoch {epoch,2}/{epochs}  loss {sum / (k + 1):F4}");
                    }
                    double loss = ValidationLoss(model, validationTokens);
                    var preview = Enumerable.Range(0, 5).Select(_ => Sample(model, previewRandom, temperature));
                    AnsiConsole.MarkupLineInterpolated(
                        $"epoch {epoch,2}  train loss {sum / order.Length:F4}  validation loss {loss:F4}  perplexity {Math.Exp(loss):F2}   e.g. {string.Join(", ", preview)}");
                }
            });
        clock.Stop();
        AnsiConsole.MarkupLineInterpolated($"Trained in {clock.Elapsed.TotalSeconds:F1} s.");
        AnsiConsole.WriteLine();

        // Save the weights, load them into a new instance, and sample from that one.
        Directory.CreateDirectory(outFolder);
        string weights = Path.Combine(outFolder, $"names-gru{hidden}.safetensors");
        model.SaveSafetensors(weights);
        var reloaded = CreateModel(hidden);
        reloaded.LoadSafetensors(weights);
        double reloadedLoss = ValidationLoss(reloaded, validationTokens);
        AnsiConsole.MarkupLineInterpolated($"Saved the weights to {weights} ({new FileInfo(weights).Length:N0} bytes)");
        AnsiConsole.MarkupLineInterpolated($"  and loaded them into a new {reloaded.GetType().Name} (validation loss {reloadedLoss:F4}); the names below come from it.");
        AnsiConsole.WriteLine();

        var sampler = new Random(seed);
        var samples = Enumerable.Range(0, NoveltySamples).Select(_ => Sample(reloaded, sampler, temperature)).ToArray();
        var shown = samples.Take(count).Select(n =>
            trainSet.Contains(n) ? $"[grey]{Capitalise(n)}*[/]" : allSet.Contains(n) ? $"[blue]{Capitalise(n)}+[/]" : $"[green]{Capitalise(n)}[/]").ToArray();
        if (count > 0)
        {
            AnsiConsole.MarkupLineInterpolated($"{count} names at temperature {temperature} ([green]new[/]; [grey]* in the training set[/]; [blue]+ a real name held out for validation[/]):");
            for (int i = 0; i < shown.Length; i += 10)
                AnsiConsole.MarkupLine("  " + string.Join(", ", shown.Skip(i).Take(10)));
            AnsiConsole.WriteLine();
        }

        int novel = samples.Count(n => !trainSet.Contains(n));
        int inValidation = samples.Count(n => !trainSet.Contains(n) && allSet.Contains(n));
        int distinct = samples.Distinct().Count();
        int distinctNovel = samples.Where(n => !allSet.Contains(n)).Distinct().Count();
        AnsiConsole.MarkupLineInterpolated($"Novelty of {NoveltySamples:N0} sampled names at temperature {temperature}:");
        AnsiConsole.MarkupLineInterpolated($"  {novel:N0} ({100.0 * novel / NoveltySamples:F1} %) are not in the training set; {inValidation:N0} of these are real names held out for validation, {novel - inValidation:N0} are in neither list");
        AnsiConsole.MarkupLineInterpolated($"  {distinct:N0} distinct names, {distinctNovel:N0} distinct new ones; mean length {samples.Average(n => n.Length):F1} letters (training names: {train.Average(n => n.Length):F1})");
        return 0;
    }

    private static IEnumerable<string> ReadNames(string resource)
    {
        using var stream = typeof(Program).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The embedded name list {resource} is missing from the build.");
        using var reader = new StreamReader(stream);
        var names = new List<string>();
        int line = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            string name = text.Trim();
            if (name.Length == 0) continue;
            if (name.Length > MaxLength || name.ToLowerInvariant().Any(c => Letters.IndexOf(c) < 0))
                throw new InvalidDataException($"{resource} line {line}: '{name}' has characters outside a-z and '-' or more than {MaxLength}; the vocabulary does not cover it.");
            names.Add(name);
        }
        return names;
    }

    /// <summary>Inputs: the start mark and the letters; targets: the letters and the end mark.</summary>
    private static (int[] Tokens, int[] Targets) Encode(string name)
    {
        var tokens = new int[name.Length + 1];
        var targets = new int[name.Length + 1];
        tokens[0] = Boundary;
        for (int i = 0; i < name.Length; i++)
        {
            int id = Letters.IndexOf(name[i]) + 1;
            tokens[i + 1] = id;
            targets[i] = id;
        }
        targets[^1] = Boundary;
        return (tokens, targets);
    }

    /// <summary>Mean cross-entropy per predicted token (letters and end marks) in nats.</summary>
    private static double ValidationLoss(ITokenModel<float> model, (int[] Tokens, int[] Targets)[] names)
    {
        var logits = new float[(MaxLength + 1) * Vocabulary];
        double total = 0;
        int predicted = 0;
        foreach (var (tokens, targets) in names)
        {
            model.ResetState();
            var outputs = logits.AsSpan(0, tokens.Length * Vocabulary);
            model.Forward(tokens, outputs);
            for (int t = 0; t < tokens.Length; t++)
            {
                var row = outputs.Slice(t * Vocabulary, Vocabulary);
                double max = double.NegativeInfinity;
                foreach (float v in row) max = Math.Max(max, v);
                double sum = 0;
                foreach (float v in row) sum += Math.Exp(v - max);
                total += max + Math.Log(sum) - row[targets[t]];
                predicted++;
            }
        }
        return total / predicted;
    }

    /// <summary>One name: from the start mark, sample each next character from softmax(logits / temperature).</summary>
    private static string Sample(ITokenModel<float> model, Random random, double temperature)
    {
        Span<float> probabilities = stackalloc float[Vocabulary];
        Span<char> name = stackalloc char[MaxLength + 5];
        int length = 0, token = Boundary;
        model.ResetState();
        while (length < name.Length)
        {
            model.Step(token, probabilities);
            for (int i = 0; i < Vocabulary; i++) probabilities[i] = (float)(probabilities[i] / temperature);
            Activations.Softmax(probabilities);
            double u = random.NextDouble(), cumulative = 0;
            token = Vocabulary - 1;
            for (int i = 0; i < Vocabulary; i++)
            {
                cumulative += probabilities[i];
                if (u < cumulative) { token = i; break; }
            }
            if (token == Boundary) break;
            name[length++] = Letters[token - 1];
        }
        return new string(name[..length]);
    }

    /// <summary>Validation perplexities of two counting models trained on the same names: character frequencies, and the previous character.</summary>
    private static (double Unigram, double Bigram) CountingBaselines(string[] train, string[] validation)
    {
        var unigram = new double[Vocabulary];
        var bigram = new double[Vocabulary, Vocabulary];
        foreach (var name in train)
        {
            var (tokens, targets) = Encode(name);
            for (int t = 0; t < tokens.Length; t++)
            {
                unigram[targets[t]]++;
                bigram[tokens[t], targets[t]]++;
            }
        }
        double unigramTotal = unigram.Sum();
        double uni = 0, bi = 0;
        int n = 0;
        foreach (var name in validation)
        {
            var (tokens, targets) = Encode(name);
            for (int t = 0; t < tokens.Length; t++)
            {
                uni -= Math.Log((unigram[targets[t]] + 1) / (unigramTotal + Vocabulary));
                double row = 0;
                for (int j = 0; j < Vocabulary; j++) row += bigram[tokens[t], j];
                bi -= Math.Log((bigram[tokens[t], targets[t]] + 1) / (row + Vocabulary));
                n++;
            }
        }
        return (Math.Exp(uni / n), Math.Exp(bi / n));
    }

    private static string Capitalise(string name)
    {
        var chars = name.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
            if (i == 0 || chars[i - 1] == '-') chars[i] = char.ToUpperInvariant(chars[i]);
        return new string(chars);
    }
}
