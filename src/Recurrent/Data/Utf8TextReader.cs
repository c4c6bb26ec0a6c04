using System.Buffers;
using System.Text.Unicode;

namespace Recurrent.Data;

/// <summary>
/// Streams a file as strict UTF-8 text through fixed buffers, with the checks of <see cref="Utf8TextFile"/>:
/// bytes that are not UTF-8 and NUL bytes are refused where they occur, and at the end a file that is more than
/// <see cref="Utf8TextFile.MaxControlFraction"/> control characters is refused as binary. A leading byte-order mark
/// is dropped. Memory use does not depend on the file's size.
/// </summary>
internal sealed class Utf8TextReader : IDisposable
{
    private readonly string _path;
    private readonly FileStream _stream;
    private readonly byte[] _bytes;
    private int _start, _end;          // undecoded bytes are _bytes[_start .. _end)
    private long _bufferOffset;        // file offset of _bytes[0]
    private bool _final, _started;
    private long _chars, _controls, _lines = 1;

    /// <exception cref="RecurrentException">The file cannot be opened.</exception>
    public Utf8TextReader(string path, int bufferSize = 1 << 16)
    {
        _path = path;
        try
        {
            _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RecurrentException($"Cannot read '{path}': {e.Message}", e);
        }
        _bytes = new byte[Math.Max(bufferSize, 8)];
    }

    /// <summary>Decodes the next characters into <paramref name="destination"/> (at least 2 long, so a surrogate pair fits).</summary>
    /// <returns>The number of characters written; 0 at the end of the file.</returns>
    /// <exception cref="RecurrentException">Invalid UTF-8, a NUL byte, or (at the end) a binary-looking file; the message gives the offset and line.</exception>
    public int Read(Span<char> destination)
    {
        if (destination.Length < 2) throw new ArgumentException("Room for at least two characters is needed.", nameof(destination));
        while (true)
        {
            OperationStatus status = Utf8.ToUtf16(_bytes.AsSpan(_start, _end - _start), destination, out int used, out int written,
                replaceInvalidSequences: false, isFinalBlock: _final);
            if (written > 0)
            {
                Check(destination[..written], _bufferOffset + _start);
                _start += used;
                return written;
            }
            _start += used;
            if (status == OperationStatus.InvalidData)
            {
                long offset = _bufferOffset + _start;
                string hex = Convert.ToHexString(_bytes.AsSpan(_start, Math.Min(4, _end - _start)));
                throw new RecurrentException(
                    $"The file '{_path}' is not valid UTF-8: byte offset {offset} (line {_lines}) starts an invalid sequence (bytes {hex}). Convert it to UTF-8 first (e.g. iconv -f latin1 -t utf-8).");
            }
            if (_final)
            {
                if (_controls > Utf8TextFile.MaxControlFraction * _chars)
                    throw new RecurrentException(
                        $"The file '{_path}' is {100.0 * _controls / _chars:F0}% control characters: it looks like a binary file, not text.");
                return 0;
            }
            Refill();
        }
    }

    /// <summary>Moves the undecoded tail to the front and reads more; drops a byte-order mark at the start of the file.</summary>
    private void Refill()
    {
        int tail = _end - _start;
        _bytes.AsSpan(_start, tail).CopyTo(_bytes);
        _bufferOffset += _start;
        _start = 0;
        _end = tail;
        int read;
        try
        {
            while ((read = _stream.Read(_bytes, _end, _bytes.Length - _end)) > 0)
            {
                _end += read;
                if (_started || _end >= 3) break; // the first read needs three bytes to see a byte-order mark
            }
        }
        catch (IOException e)
        {
            throw new RecurrentException($"Cannot read '{_path}': {e.Message}", e);
        }
        if (read == 0) _final = true;
        if (!_started)
        {
            _started = true;
            ReadOnlySpan<byte> head = _bytes.AsSpan(0, _end);
            if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) _start = 3;
            else if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
                throw new RecurrentException(
                    $"The file '{_path}' starts with a UTF-16 byte-order mark ({Convert.ToHexString(head[..2])}): it is UTF-16 text, not UTF-8. Convert it first (e.g. iconv -f utf-16 -t utf-8).");
        }
    }

    /// <summary>Refuses a NUL; counts characters, control characters and lines.</summary>
    private void Check(ReadOnlySpan<char> text, long byteOffset)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c >= 0x20 && c != 0x7F) continue;
            if (c == '\0')
            {
                long at = byteOffset + System.Text.Encoding.UTF8.GetByteCount(text[..i]);
                throw new RecurrentException(
                    $"The file '{_path}' holds a NUL byte at offset {at} (line {_lines}): it looks like a binary file (or UTF-16 text), not UTF-8 text.");
            }
            if (c == '\n') _lines++;
            else if (c is not ('\t' or '\v' or '\f' or '\r')) _controls++;
        }
        _chars += text.Length;
    }

    public void Dispose() => _stream.Dispose();
}
