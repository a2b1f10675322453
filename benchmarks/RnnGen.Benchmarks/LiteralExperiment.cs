using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace RnnGen.Benchmarks;

public static class LiteralExperiment
{
    public static void Run()
    {
        var refs = Basic.Reference.Assemblies.Net100.References.All.ToArray();
        var bytes = new byte[4_866_000];
        new Random(1).NextBytes(bytes);
        string b64 = Convert.ToBase64String(bytes);
        string Lines(int n) => string.Join("\n", Enumerable.Range(0, (b64.Length + n - 1) / n).Select(i => "        " + b64.Substring(i * n, Math.Min(n, b64.Length - i * n))));
        var variants = new (string Name, string Code)[]
        {
            ("baseline", "class C { static System.ReadOnlySpan<byte> D => \"abc\"u8; }"),
            ("raw u8 128", "class C { static System.ReadOnlySpan<byte> D => \"\"\"\n" + Lines(128) + "\n        \"\"\"u8; }"),
            ("one-line u8", "class C { static System.ReadOnlySpan<byte> D => \"" + b64 + "\"u8; }"),
            ("raw string 128", "class C { static string D => \"\"\"\n" + Lines(128) + "\n        \"\"\"; }"),
            ("one-line string", "class C { static string D => \"" + b64 + "\"; }"),
        };
        foreach (var (name, code) in variants)
        {
            for (int rep = 0; rep < 2; rep++)
            {
                var sw = Stopwatch.StartNew();
                long before = GC.GetTotalAllocatedBytes();
                var c = CSharpCompilation.Create("X", [CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.CSharp12))], refs, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
                using var pe = new MemoryStream();
                var r = c.Emit(pe);
                Console.WriteLine($"{name,-16} {sw.ElapsedMilliseconds,6} ms  {(GC.GetTotalAllocatedBytes() - before) / 1e6,8:F0} MB  ok={r.Success} pe={pe.Length}");
            }
        }
    }
}
