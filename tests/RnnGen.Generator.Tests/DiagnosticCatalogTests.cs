using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using RnnGen.Generator.Diagnostics;
using Xunit;

namespace RnnGen.Generator.Tests;

/// <summary>
/// The descriptor catalog, the analyzer release files and docs/diagnostics.md say the same. The build's release tracking
/// (RS2000–RS2008) already fails on an ID, category or severity missing from or differing with the release files; this
/// also compares the titles, and the documentation's table.
/// </summary>
public class DiagnosticCatalogTests
{
    private static string Repository([CallerFilePath] string here = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", ".."));

    private static string[] Catalog => DiagnosticDescriptors.All
        .Select(d => $"{d.Id} | {d.Category} | {d.DefaultSeverity} | {d.Title}").OrderBy(r => r, System.StringComparer.Ordinal).ToArray();

    [Fact]
    public void TheReleaseFilesListEveryDescriptorWithItsTitle()
    {
        string folder = Path.Combine(Repository(), "generator", "RnnGen.Generator");
        string[] rows = File.ReadAllLines(Path.Combine(folder, "AnalyzerReleases.Shipped.md"))
            .Concat(File.ReadAllLines(Path.Combine(folder, "AnalyzerReleases.Unshipped.md")))
            .Where(l => l.StartsWith("RNNG", System.StringComparison.Ordinal))
            .Select(l => string.Join(" | ", l.Split('|').Select(c => c.Trim())))
            .OrderBy(r => r, System.StringComparer.Ordinal).ToArray();
        Assert.Equal(Catalog, rows);
    }

    [Fact]
    public void TheDocumentationTableListsEveryDescriptorWithItsTitle()
    {
        string[] rows = File.ReadAllLines(Path.Combine(Repository(), "docs", "diagnostics.md"))
            .Select(l => Regex.Match(l, @"^\| \[(RNNG\d{4})\]\(#rnng\d{4}\) \| ([^|]+?)(?: \(warning\))? \|"))
            .Where(m => m.Success)
            .Select(m => $"{m.Groups[1].Value} | {m.Groups[2].Value}")
            .ToArray();
        Assert.Equal(DiagnosticDescriptors.All.Select(d => $"{d.Id} | {d.Title}").ToArray(), rows);
        string text = File.ReadAllText(Path.Combine(Repository(), "docs", "diagnostics.md"));
        Assert.All(DiagnosticDescriptors.All, d => Assert.Contains("\n## " + d.Id + "\n", text));
    }
}
