using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using RnnGen.Generator.Emit;
using Xunit.Sdk;

namespace RnnGen.Generator.Tests.Infrastructure;

/// <summary>
/// Our own snapshot check (Verify is not available here). The approved text lives in
/// <c>Snapshots/{TestClass}.{TestMethod}#{hint}.verified.cs</c>. On a mismatch the new text is written beside it as
/// <c>.received.cs</c> and the test fails with a unified diff. Set <c>RNNGEN_ACCEPT=1</c> (ignored when <c>CI</c> is
/// set) to write the received text as the new approved snapshot.
/// </summary>
internal static class Snapshot
{
    public static readonly string Root = typeof(Snapshot).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RnnGenSnapshotRoot").Value!;

    public static void Match(string actual, string hint, [CallerFilePath] string file = "", [CallerMemberName] string test = "")
    {
        string stem = Path.Combine(Root, $"{Path.GetFileNameWithoutExtension(file)}.{test}#{hint}");
        string verified = stem + ".verified.cs";
        string received = stem + ".received.cs";
        string now = Normalize(actual);
        string? then = File.Exists(verified) ? Normalize(File.ReadAllText(verified)) : null;
        if (now == then)
        {
            File.Delete(received);
            return;
        }
        bool accept = Environment.GetEnvironmentVariable("RNNGEN_ACCEPT") == "1" && Environment.GetEnvironmentVariable("CI") is null;
        if (accept)
        {
            File.WriteAllText(verified, now);
            File.Delete(received);
            return;
        }
        File.WriteAllText(received, now);
        throw new XunitException($"Snapshot mismatch for {Path.GetFileName(verified)}{(then is null ? " (no approved snapshot yet)" : "")}.\n" +
            $"{Diff(then ?? "", now)}\nReview {received}; accept with RNNGEN_ACCEPT=1 dotnet test.");
    }

    /// <summary>Line ends to \n, trailing spaces trimmed, and the generator version replaced so a version bump does not churn snapshots.</summary>
    public static string Normalize(string text) =>
        string.Join("\n", text.Replace("\r\n", "\n").Split('\n').Select(l => l.TrimEnd())).TrimEnd('\n')
            .Replace($"\"{ModelEmitter.Version}\"", "\"<GENERATOR_VERSION>\"") + "\n";

    private static string Diff(string before, string after)
    {
        DiffPaneModel diff = InlineDiffBuilder.Diff(before, after);
        var lines = diff.Lines.Select((l, i) => (l, i)).Where(x => x.l.Type != ChangeType.Unchanged).Take(40)
            .Select(x => $"{(x.l.Type == ChangeType.Inserted ? "+" : "-")} {x.i + 1,5}: {x.l.Text}");
        return string.Join("\n", lines);
    }
}
