using System;
using System.Text;

namespace RnnGen.Generator.Emit;

/// <summary>Writes indented C#: four spaces a level, <c>\n</c> line ends, blocks opened with <see cref="Block"/>.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public CodeWriter Line(string line = "")
    {
        if (line.Length > 0) _text.Append(' ', 4 * _indent).Append(line);
        _text.Append('\n');
        return this;
    }

    public CodeWriter Lines(string text)
    {
        foreach (string line in text.Split('\n')) Line(line.TrimEnd('\r'));
        return this;
    }

    /// <summary>Writes <paramref name="header"/> (if any), then <c>{</c>; disposing writes <c>}</c> plus <paramref name="after"/>.</summary>
    public IDisposable Block(string? header = null, string after = "")
    {
        if (header is not null) Line(header);
        Line("{");
        _indent++;
        return new Closer(this, after);
    }

    /// <summary>Indents the lines written until disposed, without braces (for argument lists).</summary>
    public IDisposable Indented()
    {
        _indent++;
        return new Closer(this, null);
    }

    public override string ToString() => _text.ToString();

    private sealed class Closer(CodeWriter writer, string? after) : IDisposable
    {
        public void Dispose()
        {
            writer._indent--;
            if (after is not null) writer.Line("}" + after);
        }
    }
}
