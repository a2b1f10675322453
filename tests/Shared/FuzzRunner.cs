using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using CsCheck;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace RnnGen.Tests.Fuzzing;

/// <summary>
/// Runs a property over cases drawn from a CsCheck generator, deterministically: case i of a property is generated
/// from <c>new PCG(stream, seed + i)</c>, so CI always runs the same cases and a failure names the seed that replays it.
/// </summary>
/// <remarks>
/// <para>Environment variables:</para>
/// <list type="bullet">
/// <item><c>RNNGEN_FUZZ_SCALE=10</c> multiplies every case count (more cases locally; CI runs the default, 1).</item>
/// <item><c>RNNGEN_FUZZ_SEED=&lt;seed&gt;</c> runs only the case with that seed (as printed by a failure), to replay it.</item>
/// <item><c>RNNGEN_FUZZ_RANDOM=1</c> starts from a time-based seed instead of the fixed one (new cases every run).</item>
/// <item><c>RNNGEN_FUZZ_SHRINK=1</c> after a failure, lets CsCheck look for a smaller failing case (random, so off in CI).</item>
/// <item><c>RNNGEN_FUZZ_KEEP_GOING=1</c> runs every case and reports all failures, grouped (for exploring, not CI).</item>
/// </list>
/// <para>A seed is a CsCheck PCG seed string: <c>Check.Sample(gen, property, seed: "…")</c> replays it with CsCheck too.</para>
/// </remarks>
internal static class FuzzRunner
{
    /// <summary>The case-count multiplier from <c>RNNGEN_FUZZ_SCALE</c> (default 1).</summary>
    public static int Scale =>
        int.TryParse(Environment.GetEnvironmentVariable("RNNGEN_FUZZ_SCALE"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int s) && s > 0 ? s : 1;

    /// <summary>
    /// Runs <paramref name="property"/> on <paramref name="count"/> × <see cref="Scale"/> cases; throws on the first
    /// failing case with its index, seed and printed input. Returns the number of cases run.
    /// </summary>
    public static int Run<T>(string name, Gen<T> gen, Action<T> property, int count, ulong seed, ITestOutputHelper? output = null,
        Func<T, string>? print = null)
    {
        print ??= v => v?.ToString() ?? "null";
        const uint stream = 7;
        string? replay = Environment.GetEnvironmentVariable("RNNGEN_FUZZ_SEED");
        if (!string.IsNullOrWhiteSpace(replay))
        {
            // One case; a seed that belongs to another property fails to parse or runs a different input: both harmless.
            RunOne(name, gen, property, PCG.Parse(replay.Trim()), -1, print);
            output?.WriteLine($"{name}: replayed seed {replay}");
            return 1;
        }
        if (Environment.GetEnvironmentVariable("RNNGEN_FUZZ_RANDOM") == "1") seed = (ulong)Stopwatch.GetTimestamp();

        int total = count * Scale;
        var clock = Stopwatch.StartNew();
        bool keepGoing = Environment.GetEnvironmentVariable("RNNGEN_FUZZ_KEEP_GOING") == "1";
        var failures = new System.Collections.Generic.List<string>();
        for (int i = 0; i < total; i++)
        {
            try
            {
                RunOne(name, gen, property, new PCG(stream, seed + (ulong)i), i, print);
            }
            catch (XunitException e) when (keepGoing)
            {
                failures.Add(e.Message);
            }
        }
        if (failures.Count > 0)
        {
            // Grouped by the failure's first line after "--- failure ---", each group with one full example.
            var groups = failures.GroupBy(Signature).OrderByDescending(g => g.Count());
            throw new XunitException($"{name}: {failures.Count} of {total} cases failed, {groups.Count()} kinds:\n\n" +
                string.Join("\n\n", groups.Select(g => $"=== {g.Count()} × {g.Key}\n{g.First()}")));
        }
        output?.WriteLine($"{name}: {total} cases passed in {clock.Elapsed.TotalSeconds:F1} s (first seed {new PCG(stream, seed)})");
        return total;
    }

    private static string Signature(string message)
    {
        int at = message.IndexOf("--- failure ---", StringComparison.Ordinal);
        string rest = at < 0 ? message : message[(at + 16)..];
        string line = string.Join(" | ", rest.Split('\n').Where(l => l.Trim().Length > 0).Take(2));
        // Numbers and quoted names vary from case to case; the kind of failure does not.
        line = System.Text.RegularExpressions.Regex.Replace(line, @"'[^']*'|\d+|/[^ ]*\.g\.cs", "#");
        return line.Length > 200 ? line[..200] : line;
    }

    private static void RunOne<T>(string name, Gen<T> gen, Action<T> property, PCG pcg, int index, Func<T, string> print)
    {
        string seedText = pcg.ToString();
        T value = gen.Generate(pcg, null!, out _);
        try
        {
            property(value);
        }
        catch (Exception e)
        {
            string shrunk = "";
            if (Environment.GetEnvironmentVariable("RNNGEN_FUZZ_SHRINK") == "1")
            {
                try
                {
                    Check.Sample(gen, property, seed: seedText, iter: 2000, threads: 1, print: v => print(v));
                }
                catch (Exception s)
                {
                    shrunk = "\nCsCheck's smallest failing case:\n" + s.Message;
                }
            }
            string input;
            try { input = print(value); }
            catch (Exception p) { input = $"(printing the input failed: {p.Message})"; }
            throw new XunitException(
                $"{name}: case {index} failed; replay with RNNGEN_FUZZ_SEED={seedText}\n--- input ---\n{input}\n--- failure ---\n{e}{shrunk}");
        }
    }
}
