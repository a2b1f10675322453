using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Threading;
using RnnGen.Generator.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;
using RnnGen.Tests.Fuzzing;

namespace RnnGen.Generator.Tests.Fuzzing;

/// <summary>
/// Fuzzed models that RnnGen accepts, compiled and run: the whole output compiles with no warning (warnings as errors,
/// <see cref="GeneratorHarness.EmitClean"/>), loads into a collectible <see cref="AssemblyLoadContext"/>, and every
/// model runs through <see cref="IRecurrentModel{T}"/> with random parameters and inputs.
/// </summary>
/// <remarks>
/// Properties of each accepted model: its sizes, layer count and tensor names are the declared ones; <c>Step</c> in a
/// loop gives bit for bit what <c>Forward</c> gives on the same sequence (and the token overloads likewise); with only
/// bounded nonlinearities (no ReLU) every output is finite and inside the last activation's range (ReLU stacks can
/// grow without bound: for them only "no exception"); a steady-state <c>Step</c> allocates nothing; and a
/// SaveSafetensors/LoadSafetensors round trip restores the parameters bit for bit.
/// 40 cases in CI (each compiles one to three models, about 0.3–1 s), × <c>RNNGEN_FUZZ_SCALE</c> locally.
/// </remarks>
public sealed class CompileAndRunTests(ITestOutputHelper output)
{
    public const int RunCases = 40;

    [Fact]
    public void AcceptedModelsCompileCleanAndRun() =>
        FuzzRunner.Run(nameof(AcceptedModelsCompileCleanAndRun), ModelGens.Case(hostile: false), CompileAndRun, RunCases, seed: 0x5EED_0002, output);

    internal static void CompileAndRun(FuzzCase c)
    {
        var (harness, accepted) = AttributeFuzzTests.Generate(c, fullCompile: true);
        if (accepted.Count == 0) return;
        byte[] image = harness.EmitClean();

        var context = new AssemblyLoadContext("RnnGenFuzz", isCollectible: true);
        try
        {
            Assembly assembly = context.LoadFromStream(new MemoryStream(image));
            Dictionary<string, Type> types = assembly.GetTypes()
                .Where(t => t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IRecurrentModel<>)))
                .ToDictionary(DisplayName);
            int seed = StableHash(c.ToString()); // the case's text: the same parameters and inputs on every run
            foreach (FuzzModel model in accepted.Where(m => m.Modifiers != "abstract"))
            {
                Assert.True(types.TryGetValue(model.DisplayName, out Type? type), $"No type {model.DisplayName} in {string.Join(", ", types.Keys)}");
                object instance = Activator.CreateInstance(type!, nonPublic: true)!;
                var random = new Random(seed ^ StableHash(model.DisplayName));
                // On a 1 MB stack, what a thread-pool thread has on Windows (1.5 MB on Linux): the scratch is stackalloc'ed.
                OnThread(() =>
                {
                    if (model.IsDouble) Exercise((IRecurrentModel<double>)instance, model, random, type!);
                    else Exercise((IRecurrentModel<float>)instance, model, random, type!);
                });
            }
        }
        finally
        {
            context.Unload();
        }
    }

    /// <summary>FNV-1a: unlike string.GetHashCode and HashCode, the same in every process.</summary>
    private static int StableHash(string text)
    {
        uint hash = 2166136261;
        foreach (char ch in text) hash = (hash ^ ch) * 16777619;
        return (int)hash;
    }

    /// <summary>The name as the fuzzer writes it: namespace, enclosing types, class.</summary>
    private static string DisplayName(Type type)
    {
        var names = new List<string>();
        for (Type? t = type; t is not null; t = t.DeclaringType)
        {
            string name = t.Name;
            int tick = name.IndexOf('`');
            names.Insert(0, tick >= 0 ? name[..tick] : name);
        }
        if (!string.IsNullOrEmpty(type.Namespace)) names.Insert(0, type.Namespace);
        return string.Join(".", names);
    }

    internal static void OnThread(Action action, int stackBytes = 1 << 20)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try { action(); }
            catch (Exception e) { failure = e; }
        }, stackBytes);
        thread.Start();
        thread.Join();
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
    }

    private static void Exercise<T>(IRecurrentModel<T> model, FuzzModel declared, Random random, Type type)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string name = declared.DisplayName;

        // The declared architecture.
        Assert.Equal(declared.InputSize, model.InputSize);
        Assert.Equal(declared.OutputSize, model.OutputSize);
        Assert.Equal(declared.HiddenSizes.Length, model.LayerCount);
        for (int k = 0; k < model.LayerCount; k++) Assert.Equal(declared.HiddenSizes[k], model.HiddenSize(k));
        Assert.Equal(declared.TensorNames(), model.ParameterLayout.Select(p => p.Name).ToList());
        Assert.Equal(model.ParameterLayout.Sum(p => p.Length), model.Parameters.Length);
        Assert.Equal(declared.SequenceLength ?? 64, model.SequenceLength);

        // Random parameters in [-0.5, 0.5]; a fresh model starts from zeros.
        Assert.True(model.Parameters.IndexOfAnyExcept(T.Zero) < 0, $"{name}: a new model's parameters are not all zero");
        Span<T> parameters = model.Parameters;
        for (int i = 0; i < parameters.Length; i++) parameters[i] = T.CreateTruncating(random.NextDouble() - 0.5);

        int steps = random.Next(1, 7);
        var inputs = new T[steps * model.InputSize];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = T.CreateTruncating(2 * random.NextDouble() - 1);

        // Step in a loop equals Forward, bit for bit: both run the same step from the same state.
        var stepped = new T[steps * model.OutputSize];
        model.ResetState();
        for (int s = 0; s < steps; s++)
            model.Step(inputs.AsSpan(s * model.InputSize, model.InputSize), stepped.AsSpan(s * model.OutputSize, model.OutputSize));
        var forward = new T[steps * model.OutputSize];
        model.ResetState();
        model.Forward(inputs, forward);
        AssertBits(stepped, forward, $"{name}: Step × {steps} and Forward differ");
        CheckRange(stepped, declared, name);

        if (declared.HasEmbedding)
        {
            var tokenModel = (ITokenModel<T>)model;
            Assert.Equal(declared.Vocabulary, tokenModel.VocabularySize);
            int[] tokens = Enumerable.Range(0, steps).Select(_ => random.Next(declared.Vocabulary)).ToArray();
            var byToken = new T[steps * model.OutputSize];
            model.ResetState();
            for (int s = 0; s < steps; s++) tokenModel.Step(tokens[s], byToken.AsSpan(s * model.OutputSize, model.OutputSize));
            var byTokens = new T[steps * model.OutputSize];
            model.ResetState();
            tokenModel.Forward(tokens, byTokens);
            AssertBits(byToken, byTokens, $"{name}: Step(token) × {steps} and Forward(tokens) differ");
            CheckRange(byToken, declared, name);
        }

        // A steady-state step allocates nothing (README: "Allocation-free").
        var one = new T[model.OutputSize];
        model.Step(inputs.AsSpan(0, model.InputSize), one);
        long before = GC.GetAllocatedBytesForCurrentThread();
        model.Step(inputs.AsSpan(0, model.InputSize), one);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        // Save → Load into a fresh instance restores every parameter bit for bit.
        var file = new MemoryStream();
        model.SaveSafetensors(file);
        var copy = (IRecurrentModel<T>)Activator.CreateInstance(type, nonPublic: true)!;
        file.Position = 0;
        copy.LoadSafetensors(file);
        AssertBits(model.Parameters.ToArray(), copy.Parameters.ToArray(), $"{name}: parameters changed in a safetensors round trip");
    }

    private static void AssertBits<T>(T[] expected, T[] actual, string message) where T : unmanaged =>
        Assert.True(MemoryMarshal.AsBytes(expected.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(actual.AsSpan())),
            message + $":\n{string.Join(", ", expected.Take(16))}\n{string.Join(", ", actual.Take(16))}");

    /// <summary>Finite and inside the output's range, when no ReLU can make values grow without bound.</summary>
    private static void CheckRange<T>(T[] outputs, FuzzModel declared, string name) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!declared.Bounded) return;
        Assert.True(outputs.All(T.IsFinite), $"{name}: outputs are not finite: {string.Join(", ", outputs.Take(16))}");
        bool hasHead = declared.Layers.Any(l => l.Kind == FuzzLayerKind.Dense);
        T one = T.One, slack = T.CreateTruncating(1e-6);
        switch (hasHead ? declared.LastActivation : FuzzActivation.Tanh) // no head: the top layer's h, in [-1, 1] for every bounded cell
        {
            case FuzzActivation.Tanh:
                Assert.True(outputs.All(v => T.Abs(v) <= one), $"{name}: a tanh output is outside [-1, 1]");
                break;
            case FuzzActivation.Sigmoid:
                Assert.True(outputs.All(v => v >= T.Zero && v <= one), $"{name}: a sigmoid output is outside [0, 1]");
                break;
            case FuzzActivation.Softmax:
                int width = declared.OutputSize;
                for (int s = 0; s < outputs.Length / width; s++)
                {
                    T sum = T.Zero;
                    for (int o = 0; o < width; o++)
                    {
                        T v = outputs[s * width + o];
                        Assert.True(v >= T.Zero && v <= one, $"{name}: a softmax output is outside [0, 1]");
                        sum += v;
                    }
                    Assert.True(T.Abs(sum - one) <= slack * T.CreateTruncating(10 + width), $"{name}: softmax outputs of step {s} sum to {sum}");
                }
                break;
        }
    }
}
