using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Threading;

namespace RnnGen.Generator.Weights;

/// <summary>
/// The small JSON reader a safetensors header needs (objects, arrays, strings, integers, literals), because the
/// generator may not depend on System.Text.Json. Values come back as Dictionary, List, string, long, double, bool or null.
/// Throws <see cref="FormatException"/> with the byte offset on malformed input.
/// </summary>
internal sealed class HeaderJson
{
    private const int MaxDepth = 16;
    private readonly string _text;
    private readonly CancellationToken _token;
    private int _position;

    private HeaderJson(string text, CancellationToken token) => (_text, _token) = (text, token);

    /// <summary>Parses the JSON text in <paramref name="utf8"/>; <paramref name="token"/> is checked at every value.</summary>
    public static object? Parse(byte[] utf8, int offset, int count, CancellationToken token)
    {
        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(utf8, offset, count);
        }
        catch (DecoderFallbackException)
        {
            throw new FormatException("the header is not valid UTF-8");
        }
        var reader = new HeaderJson(text, token);
        object? value = reader.Value(0);
        reader.SkipWhitespace();
        if (reader._position != text.Length) throw reader.Error("content after the JSON value");
        return value;
    }

    private object? Value(int depth)
    {
        if (depth > MaxDepth) throw Error("nesting deeper than " + MaxDepth);
        _token.ThrowIfCancellationRequested();
        SkipWhitespace();
        if (_position >= _text.Length) throw Error("unexpected end of the header");
        char c = _text[_position];
        switch (c)
        {
            case '{': return Object(depth);
            case '[': return Array(depth);
            case '"': return String();
            case 't': Literal("true"); return true;
            case 'f': Literal("false"); return false;
            case 'n': Literal("null"); return null;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) return Number();
                throw Error($"unexpected character '{c}'");
        }
    }

    private Dictionary<string, object?> Object(int depth)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        _position++;
        SkipWhitespace();
        if (Peek() == '}') { _position++; return result; }
        while (true)
        {
            SkipWhitespace();
            if (Peek() != '"') throw Error("expected a property name");
            string key = String();
            if (result.ContainsKey(key)) throw Error($"'{key}' appears twice");
            SkipWhitespace();
            Expect(':');
            result[key] = Value(depth + 1);
            SkipWhitespace();
            if (Peek() == ',') { _position++; continue; }
            Expect('}');
            return result;
        }
    }

    private List<object?> Array(int depth)
    {
        var result = new List<object?>();
        _position++;
        SkipWhitespace();
        if (Peek() == ']') { _position++; return result; }
        while (true)
        {
            result.Add(Value(depth + 1));
            SkipWhitespace();
            if (Peek() == ',') { _position++; continue; }
            Expect(']');
            return result;
        }
    }

    private string String()
    {
        Expect('"');
        var builder = new StringBuilder();
        while (true)
        {
            if (_position >= _text.Length) throw Error("unterminated string");
            char c = _text[_position++];
            if (c == '"') return builder.ToString();
            if (c < ' ') throw Error("control character in a string");
            if (c != '\\') { builder.Append(c); continue; }
            if (_position >= _text.Length) throw Error("unterminated escape");
            char e = _text[_position++];
            switch (e)
            {
                case '"': case '\\': case '/': builder.Append(e); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 't': builder.Append('\t'); break;
                case 'u':
                    if (_position + 4 > _text.Length || !int.TryParse(_text.Substring(_position, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int code))
                        throw Error("invalid \\u escape");
                    builder.Append((char)code);
                    _position += 4;
                    break;
                default: throw Error($"invalid escape '\\{e}'");
            }
        }
    }

    private object Number()
    {
        int start = _position;
        if (Peek() == '-') _position++;
        while (_position < _text.Length && "0123456789.eE+-".IndexOf(_text[_position]) >= 0) _position++;
        string token = _text.Substring(start, _position - start);
        if (long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer)) return integer;
        if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double real)) return real;
        throw Error($"invalid number '{token}'");
    }

    private void Literal(string word)
    {
        if (string.CompareOrdinal(_text, _position, word, 0, word.Length) != 0) throw Error("invalid literal");
        _position += word.Length;
    }

    private char Peek() => _position < _text.Length ? _text[_position] : '\0';

    private void Expect(char c)
    {
        if (Peek() != c) throw Error($"expected '{c}'");
        _position++;
    }

    private void SkipWhitespace()
    {
        while (_position < _text.Length && _text[_position] is ' ' or '\t' or '\n' or '\r') _position++;
    }

    private FormatException Error(string problem) => new($"{problem} at header character {_position}");
}
