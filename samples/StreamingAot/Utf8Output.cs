using System;
using System.Globalization;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text.Unicode;

namespace StreamingAot;

/// <summary>
/// Buffered UTF-8 text output that allocates nothing per line: <c>output.Write($"machine {m} score {s:F1}\n")</c>
/// formats straight into a preallocated buffer (invariant culture), through <see cref="Utf8.TryWrite(Span{byte}, IFormatProvider?, ref Utf8.TryWriteInterpolatedStringHandler, out int)"/>.
/// </summary>
public sealed class Utf8Output(Stream output) : IDisposable
{
    private const int MaxLine = 256;
    private readonly byte[] _buffer = new byte[32 * 1024];
    private int _length;

    /// <summary>Appends one formatted piece of text of at most 256 bytes.</summary>
    public void Write([InterpolatedStringHandlerArgument("")] ref LineHandler line) => _length += line.Finish();

    /// <summary>Writes out what is buffered.</summary>
    public void Flush()
    {
        output.Write(_buffer, 0, _length);
        output.Flush();
        _length = 0;
    }

    public void Dispose()
    {
        Flush();
        output.Dispose();
    }

    private Span<byte> Reserve()
    {
        if (_buffer.Length - _length < MaxLine) Flush();
        return _buffer.AsSpan(_length, MaxLine);
    }

    /// <summary>The compiler builds one of these for each <see cref="Write"/> call: it forwards to Utf8.TryWrite's handler.</summary>
    [InterpolatedStringHandler]
    public ref struct LineHandler
    {
        private readonly Span<byte> _destination;
        private Utf8.TryWriteInterpolatedStringHandler _inner;

        public LineHandler(int literalLength, int formattedCount, Utf8Output output, out bool shouldAppend)
        {
            _destination = output.Reserve();
            _inner = new Utf8.TryWriteInterpolatedStringHandler(literalLength, formattedCount, _destination, CultureInfo.InvariantCulture, out shouldAppend);
        }

        public bool AppendLiteral(string value) => _inner.AppendLiteral(value);
        public bool AppendFormatted<T>(T value) => _inner.AppendFormatted(value);
        public bool AppendFormatted<T>(T value, string? format) => _inner.AppendFormatted(value, format);
        public bool AppendFormatted<T>(T value, int alignment) => _inner.AppendFormatted(value, alignment);
        public bool AppendFormatted<T>(T value, int alignment, string? format) => _inner.AppendFormatted(value, alignment, format);

        internal int Finish() => Utf8.TryWrite(_destination, ref _inner, out int written)
            ? written
            : throw new InvalidOperationException($"an output line is longer than {MaxLine} bytes");
    }
}
