using System;
using System.Globalization;
using System.IO;

namespace StreamingAot;

/// <summary>
/// Reads samples from a text stream as they arrive, one per line: <c>value</c> (stream 0) or <c>stream,value</c> with
/// a stream number in [0, maxStreams). Blank lines and lines starting with <c>#</c> are skipped. It parses UTF-8 bytes
/// in place from one preallocated buffer, so reading allocates nothing either.
/// </summary>
public sealed class SampleReader(Stream input, int maxStreams)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start, _end;
    private bool _endOfInput;

    /// <summary>The number of the line last read (1-based).</summary>
    public long Line { get; private set; }

    /// <summary>Reads the next sample; false at the end of the input.</summary>
    /// <exception cref="FormatException">A line is not <c>value</c> or <c>stream,value</c>.</exception>
    public bool TryRead(out int stream, out float value)
    {
        while (NextLine(out ReadOnlySpan<byte> line))
        {
            Line++;
            if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
            if (line.IsEmpty || line[0] == (byte)'#') continue;
            int comma = line.IndexOf((byte)',');
            stream = 0;
            if (comma >= 0 && !(int.TryParse(line[..comma], NumberStyles.None, CultureInfo.InvariantCulture, out stream) && stream < maxStreams))
                throw new FormatException($"line {Line}: the stream must be a number from 0 to {maxStreams - 1} (raise --max-streams)");
            if (!float.TryParse(line[(comma + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out value) || !float.IsFinite(value))
                throw new FormatException($"line {Line}: expected 'value' or 'stream,value', found '{System.Text.Encoding.UTF8.GetString(line)}'");
            return true;
        }
        stream = 0;
        value = 0;
        return false;
    }

    /// <summary>Waits for the first input (and lets the stream initialize itself) without consuming it.</summary>
    public void Prime()
    {
        if (_end == 0 && !_endOfInput) Fill();
    }

    private void Fill()
    {
        int read = input.Read(_buffer.AsSpan(_end));
        if (read == 0) _endOfInput = true;
        _end += read;
    }

    private bool NextLine(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            int newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                line = _buffer.AsSpan(_start, newline);
                _start += newline + 1;
                return true;
            }
            if (_endOfInput)
            {
                line = _buffer.AsSpan(_start, _end - _start);   // a last line without a newline
                _start = _end;
                return !line.IsEmpty;
            }
            if (_start > 0)                                     // keep the partial line, make room after it
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length) throw new FormatException($"line {Line + 1} is longer than {_buffer.Length} bytes");
            Fill();
        }
    }
}
