using System.Buffers;

namespace Recurrent.Embeddings;

/// <summary>What <see cref="WordReader.Read"/> found.</summary>
internal enum WordToken
{
    /// <summary>A word: a maximal run of bytes other than ASCII white space.</summary>
    Word,

    /// <summary>A line feed: the end of a sentence.</summary>
    LineEnd,

    /// <summary>The end of the text.</summary>
    End,
}

/// <summary>
/// Splits a UTF-8 byte stream into words and line ends through a fixed buffer, as word2vec's ReadWord does:
/// words are separated by ASCII white space (space, tab, line feed, carriage return, vertical tab, form feed), a
/// line feed also ends a sentence, and nothing else is interpreted. Words stay bytes: the vocabulary looks them up
/// as bytes, so the training threads never decode text or allocate.
/// </summary>
/// <remarks>
/// A word cut by the end of the buffer is moved to the front before refilling; the buffer grows (up to
/// <see cref="MaxWordBytes"/>) only for a longer word. <see cref="WordOffset"/> is the absolute byte offset of the
/// last word, which the threads use to stop at the end of their slice of a plain file.
/// </remarks>
internal sealed class WordReader : IDisposable
{
    /// <summary>Longer "words" mean the file is not text (or has no white space); refusing them bounds memory.</summary>
    public const int MaxWordBytes = 1 << 20;

    private static readonly SearchValues<byte> s_whiteSpace = SearchValues.Create(" \t\n\r\v\f"u8);

    private readonly Stream _stream;
    private readonly string _source;
    private byte[] _buffer;
    private int _position, _end;
    private long _bufferOffset; // absolute offset of _buffer[0]
    private bool _endOfStream;
    private bool _atStart;

    /// <param name="stream">The text, positioned at byte <paramref name="startOffset"/> of the file.</param>
    /// <param name="source">Names the file in errors.</param>
    /// <param name="startOffset">Absolute offset of the stream's first byte; at 0 a UTF-8 byte-order mark is skipped.</param>
    public WordReader(Stream stream, string source, long startOffset = 0, int bufferSize = 1 << 16)
    {
        _stream = stream;
        _source = source;
        _buffer = new byte[Math.Max(16, bufferSize)];
        _bufferOffset = startOffset;
        _atStart = startOffset == 0;
        Line = 1;
    }

    /// <summary>The 1-based line of the last token (counted from the reader's start).</summary>
    public long Line { get; private set; }

    /// <summary>Absolute byte offset of the first byte of the last word.</summary>
    public long WordOffset { get; private set; }

    /// <summary>Reads the next token; for <see cref="WordToken.Word"/>, <paramref name="word"/> holds its bytes until the next call.</summary>
    /// <exception cref="RecurrentException">A word is longer than <see cref="MaxWordBytes"/>, or the compressed stream is corrupt.</exception>
    public WordToken Read(out ReadOnlySpan<byte> word)
    {
        while (true)
        {
            while (_position < _end)
            {
                byte b = _buffer[_position];
                if (b > (byte)' ') break;
                if (b == (byte)'\n')
                {
                    _position++;
                    word = default;
                    Line++;
                    return WordToken.LineEnd;
                }
                if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\v' or (byte)'\f') _position++;
                else break; // another control byte is part of a word
            }
            if (_position < _end)
            {
                int start = _position;
                int length = _buffer.AsSpan(start, _end - start).IndexOfAny(s_whiteSpace);
                if (length >= 0 || _endOfStream)
                {
                    if (length < 0) length = _end - start;
                    _position = start + length;
                    WordOffset = _bufferOffset + start;
                    word = _buffer.AsSpan(start, length);
                    return WordToken.Word;
                }
            }
            else if (_endOfStream)
            {
                word = default;
                return WordToken.End;
            }
            Refill();
        }
    }

    /// <summary>Skips <paramref name="count"/> words (line ends are not counted); false if the text ends first.</summary>
    public bool SkipWords(long count)
    {
        for (long i = 0; i < count; i++)
        {
            WordToken token;
            while ((token = Read(out _)) == WordToken.LineEnd) { }
            if (token == WordToken.End) return false;
        }
        return true;
    }

    /// <summary>Moves the unread bytes to the front and reads more after them.</summary>
    private void Refill()
    {
        int keep = _end - _position;
        if (keep == _buffer.Length)
        {
            if (_buffer.Length >= MaxWordBytes)
                throw new RecurrentException($"{_source}: line {Line} has a 'word' of more than {MaxWordBytes:N0} bytes without white space; is it a text file?");
            Array.Resize(ref _buffer, Math.Min(MaxWordBytes, _buffer.Length * 2));
        }
        if (keep > 0) Array.Copy(_buffer, _position, _buffer, 0, keep);
        _bufferOffset += _position;
        _position = 0;
        _end = keep;
        do
        {
            int read = ReadStream();
            if (read == 0) _endOfStream = true;
            _end += read;
        }
        while (_atStart && _end < 3 && !_endOfStream); // the byte-order mark check needs the first three bytes
        if (_atStart)
        {
            _atStart = false;
            if (_end >= 3 && _buffer[0] == 0xEF && _buffer[1] == 0xBB && _buffer[2] == 0xBF) _position = 3;
        }
    }

    private int ReadStream()
    {
        try
        {
            return _stream.Read(_buffer, _end, _buffer.Length - _end);
        }
        catch (InvalidDataException e)
        {
            throw new RecurrentException($"{_source} is corrupt: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new RecurrentException($"Cannot read '{_source}': {e.Message}", e);
        }
    }

    public void Dispose() => _stream.Dispose();
}
