using System.Collections.Generic;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis.Text;

namespace RnnGen.Generator.Tests.Infrastructure;

/// <summary>
/// Reads expectations written inline as <c>{|RNNG0102:0|}</c>: the source without the markers, and for each marker
/// the diagnostic ID with the span of the text it wraps.
/// </summary>
internal static class DiagnosticMarkup
{
    private static readonly Regex Marker = new(@"\{\|(?<id>[A-Z]+[0-9]+):(?<text>.*?)\|\}", RegexOptions.Singleline);

    public static (string Source, List<(string Id, TextSpan Span)> Expected) Parse(string markup)
    {
        var source = new StringBuilder();
        var expected = new List<(string, TextSpan)>();
        int last = 0;
        foreach (Match match in Marker.Matches(markup))
        {
            source.Append(markup, last, match.Index - last);
            string text = match.Groups["text"].Value;
            expected.Add((match.Groups["id"].Value, new TextSpan(source.Length, text.Length)));
            source.Append(text);
            last = match.Index + match.Length;
        }
        source.Append(markup, last, markup.Length - last);
        return (source.ToString(), expected);
    }
}
