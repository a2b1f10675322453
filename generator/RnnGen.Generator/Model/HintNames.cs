using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using RnnGen.Generator.Infrastructure;

namespace RnnGen.Generator.Model;

/// <summary>A model whose generated file is not named the usual way: its <see cref="TypeHierarchy.MetadataName"/> and hint name.</summary>
internal readonly record struct RenamedHint(string Model, string HintName);

/// <summary>
/// The name of each model's generated file. Roslyn compares hint names ignoring case (and fails the whole generator on
/// a clash), so <c>Demo.Model</c> and <c>Demo.model</c> cannot both be <c>{name}.RnnGen.g.cs</c>: only the models whose
/// usual names clash that way get a stable number, a hash of their exact name (<c>Demo.model.1125529653.RnnGen.g.cs</c>);
/// every other model keeps <c>{namespace and nesting}.RnnGen.g.cs</c>. The number cannot be an identifier, so no
/// model's usual hint name can be one of these.
/// </summary>
internal static class HintNames
{
    private const string Suffix = ".RnnGen.g.cs";

    /// <summary>The comparison Roslyn's <c>AddSource</c> applies to hint names.</summary>
    private static readonly StringComparer Comparer = StringComparer.OrdinalIgnoreCase;

    /// <summary>The usual hint name: namespace and nesting, e.g. <c>Demo.Models.Outer.CharModel.RnnGen.g.cs</c>.</summary>
    public static string Usual(TypeHierarchy type) => type.DisplayName + Suffix;

    /// <summary>
    /// The models (of all in the compilation, in any order) whose usual hint names clash ignoring case, with the hint
    /// name each gets instead; the same set of models always gives the same names. Usually empty.
    /// </summary>
    public static EquatableArray<RenamedHint> Disambiguate(IEnumerable<TypeHierarchy> models, CancellationToken token)
    {
        var renamed = new List<RenamedHint>();
        var clashes = models
            .GroupBy(Usual, Comparer)
            .Where(g => g.Select(t => t.MetadataName).Distinct(StringComparer.Ordinal).Count() > 1)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (IGrouping<string, TypeHierarchy> clash in clashes)
        {
            token.ThrowIfCancellationRequested();
            var names = clash.Select(t => (t.MetadataName, t.DisplayName)).Distinct().OrderBy(t => t.MetadataName, StringComparer.Ordinal).ToList();
            var hints = names.Select(n => $"{n.DisplayName}.{Fnv1a(n.MetadataName).ToString(CultureInfo.InvariantCulture)}{Suffix}").ToList();
            // Two hashes equal ignoring case (about one chance in 2^32 per pair): number the clashing group instead.
            if (hints.Distinct(Comparer).Count() < hints.Count)
                hints = names.Select((n, i) => $"{n.DisplayName}.{i + 1}{Suffix}").ToList();
            renamed.AddRange(names.Select((n, i) => new RenamedHint(n.MetadataName, hints[i])));
        }
        return renamed.ToEquatableArray();
    }

    /// <summary>The hint name of <paramref name="type"/>, given what <see cref="Disambiguate"/> returned for the compilation.</summary>
    public static string Of(TypeHierarchy type, EquatableArray<RenamedHint> renamed)
    {
        foreach (RenamedHint hint in renamed)
            if (hint.Model == type.MetadataName) return hint.HintName;
        return Usual(type);
    }

    /// <summary>FNV-1a over the UTF-16 code units: the same in every process (unlike <see cref="string.GetHashCode()"/>).</summary>
    internal static uint Fnv1a(string text)
    {
        uint hash = 2166136261;
        foreach (char c in text) hash = unchecked((hash ^ c) * 16777619);
        return hash;
    }
}
