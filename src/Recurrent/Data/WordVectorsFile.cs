using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;
using Recurrent.Embeddings;

namespace Recurrent.Data;

/// <summary>
/// Reads and writes word vectors in the files word2vec, gensim and GloVe use: word2vec text and binary, and GloVe text.
/// </summary>
/// <remarks>
/// <para>Reading detects the layout from the content: a first line of exactly two integers is a word2vec header,
/// anything else is GloVe; after a word2vec header the bytes following the first word decide between text
/// (only characters of decimal numbers up to the line's end) and binary (anything else: float32 bytes practically
/// always include others). Fields of text files are separated by spaces or tabs; a carriage return before the line
/// feed is ignored, blank lines are skipped.</para>
/// <para>Writing gives word2vec's layouts, which gensim's <c>KeyedVectors.load_word2vec_format</c> loads (binary with
/// <c>binary=True</c>). Text numbers are written in the shortest form that reads back as the same float32, so a text
/// round trip is exact. Files are written atomically: to a temporary file in the same folder, flushed to disk, then
/// renamed over the target.</para>
/// <para>Words are UTF-8 in every layout, and are checked when read.</para>
/// </remarks>
public static class WordVectorsFile
{
    private const int MaxLineBytes = 64 << 20;
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads a word2vec (text or binary) or GloVe file.</summary>
    /// <exception cref="RecurrentException">The file is missing or malformed: a bad header, a short or long vector, a
    /// field that is not a number, a word that is not valid UTF-8, or a file that ends early. The message names the
    /// file and the line (for binary files, the vector's number and byte offset).</exception>
    public static WordVectors Read(string path) => Read(path, out _);

    /// <summary>Reads a file as <see cref="Read(string)"/>, at most its first <paramref name="maxWords"/> vectors (0: all), and says which layout it had.</summary>
    public static WordVectors Read(string path, out WordVectorsFormat format, int maxWords = 0)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfNegative(maxWords);
        if (!File.Exists(path)) throw new RecurrentException($"The vectors file '{path}' does not exist.");
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RecurrentException($"Cannot read the vectors file '{path}': {e.Message}", e);
        }
        using var reader = new ByteReader(stream, path);
        if (!reader.TryReadLine(out ReadOnlySpan<byte> first))
            throw new RecurrentException($"The vectors file '{path}' is empty.");
        var header = Fields(first);
        if (header.Count == 2 && TryParseCount(first, header[0], out long words) && TryParseCount(first, header[1], out long dimension))
        {
            if (dimension < 1) throw new RecurrentException($"{path}, line 1: bad header '{Show(first)}': the dimension must be at least 1.");
            if (dimension > Array.MaxLength)
                throw new RecurrentException($"{path}, line 1: bad header '{Show(first)}': a dimension of {dimension:N0} is more than one array holds.");
            if (maxWords > 0) words = Math.Min(words, maxWords);
            if ((Int128)words * dimension > Array.MaxLength)
                throw new RecurrentException($"{path}, line 1: bad header '{Show(first)}': {words:N0} vectors of {dimension:N0} floats are more than one array holds.");
            // Room for the vectors the rest of the file can hold, not for all the header announces, so that a damaged
            // header cannot make a small file ask for gigabytes: the shortest record is a text one, a 1-byte word and
            // DIMENSION one-digit numbers, each after a separator.
            int capacity = (int)Math.Min(words, reader.BytesLeft / (1 + 2 * dimension));
            format = words > 0 && reader.LooksLikeBinary((int)dimension) ? WordVectorsFormat.Word2VecBinary : WordVectorsFormat.Word2VecText;
            return format == WordVectorsFormat.Word2VecBinary
                ? ReadBinary(reader, path, words, capacity, (int)dimension, maxWords)
                : ReadText(reader, path, words, capacity, (int)dimension, maxWords);
        }
        if (header.Count < 2 || !IsNumbers(first, header))
            throw new RecurrentException(
                $"{path}, line 1: bad header '{Show(first)}': expected 'WORDS DIMENSION' (word2vec) or a GloVe line 'word x1 x2 …'.");
        format = WordVectorsFormat.GloVeText;
        return ReadGloVe(reader, path, first, header, maxWords);
    }

    /// <summary>True for names that <c>embed train</c> writes in binary: those ending in <c>.bin</c>.</summary>
    public static bool IsBinaryName(string path) => path.EndsWith(".bin", StringComparison.OrdinalIgnoreCase);

    /// <summary>Writes <paramref name="vectors"/> in word2vec's text or binary layout, atomically.</summary>
    /// <exception cref="RecurrentException">A word contains white space (the layouts cannot hold it), or the file cannot be written.</exception>
    public static void Write(string path, WordVectors vectors, bool binary)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(vectors);
        for (int i = 0; i < vectors.Count; i++)
            if (vectors.Words[i].AsSpan().IndexOfAny(" \t\n\r\v\f") >= 0)
                throw new RecurrentException($"Cannot write '{path}': word {i} ('{vectors.Words[i]}') contains white space, which the word2vec layouts use as a separator.");

        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath)!;
        string temp = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(directory);
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                int d = vectors.Dimension;
                stream.Write(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{vectors.Count} {d}\n")));
                byte[] line = new byte[d * 16 + 16];
                byte[] floats = new byte[d * sizeof(float)];
                for (int i = 0; i < vectors.Count; i++)
                {
                    byte[] word;
                    try
                    {
                        word = s_strictUtf8.GetBytes(vectors.Words[i]);
                    }
                    catch (EncoderFallbackException e)
                    {
                        throw new RecurrentException($"Cannot write '{path}': word {i} is not valid Unicode (a lone surrogate).", e);
                    }
                    stream.Write(word);
                    ReadOnlySpan<float> v = vectors[i];
                    if (binary)
                    {
                        stream.WriteByte((byte)' ');
                        MemoryMarshal.AsBytes(v).CopyTo(floats);
                        if (!BitConverter.IsLittleEndian) ReverseFloatBytes(floats);
                        stream.Write(floats);
                        stream.WriteByte((byte)'\n');
                    }
                    else
                    {
                        int n = 0;
                        foreach (float x in v)
                        {
                            line[n++] = (byte)' ';
                            x.TryFormat(line.AsSpan(n), out int written, default, CultureInfo.InvariantCulture);
                            n += written;
                        }
                        line[n++] = (byte)'\n';
                        stream.Write(line, 0, n);
                    }
                }
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, fullPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new RecurrentException($"Cannot write the vectors file '{path}': {e.Message}", e);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static WordVectors ReadText(ByteReader reader, string path, long words, int capacity, int dimension, int maxWords)
    {
        var names = new string[capacity];
        var values = new float[(long)capacity * dimension];
        int row = 0;
        while (row < words)
        {
            if (!reader.TryReadLine(out ReadOnlySpan<byte> line))
                throw new RecurrentException($"{path}: the header announces {words:N0} vectors but the file ends after {row:N0} (line {reader.Line}).");
            var fields = Fields(line);
            if (fields.Count == 0) continue;
            if (row == capacity) throw MoreThanTheFileHolds(path, $"line {reader.Line}", words, capacity);
            names[row] = ParseRow(line, fields, values.AsSpan(row * dimension, dimension), path, reader.Line, $"the header says {dimension}");
            row++;
        }
        if (maxWords == 0)
            while (reader.TryReadLine(out ReadOnlySpan<byte> extra))
                if (Fields(extra).Count > 0)
                    throw new RecurrentException($"{path}, line {reader.Line}: more vectors than the {words:N0} the header announces.");
        return new WordVectors(names, values, dimension);
    }

    private static WordVectors ReadGloVe(ByteReader reader, string path, ReadOnlySpan<byte> first, List<Range> firstFields, int maxWords)
    {
        int dimension = firstFields.Count - 1;
        var names = new List<string>();
        // Room for 1024 vectors, but no more than the file can hold (a number takes at least two bytes).
        float[] values = new float[Math.Max(dimension, Math.Min(dimension * 1024L, reader.BytesLeft / 2 + 1024))];
        long line = 1;
        ReadOnlySpan<byte> current = first;
        List<Range> fields = firstFields;
        while (true)
        {
            if (fields.Count > 0)
            {
                int row = names.Count;
                if ((long)(row + 1) * dimension > values.Length)
                {
                    long grown = Math.Min(Array.MaxLength, 2L * values.Length);
                    if ((long)(row + 1) * dimension > grown) throw new RecurrentException($"{path}, line {line}: more vectors than one array holds.");
                    Array.Resize(ref values, (int)grown);
                }
                names.Add(ParseRow(current, fields, values.AsSpan(row * dimension, dimension), path, line, $"the first line has {dimension}"));
                if (names.Count == maxWords) break;
            }
            if (!reader.TryReadLine(out current)) break;
            line = reader.Line;
            fields = Fields(current);
        }
        Array.Resize(ref values, names.Count * dimension);
        return new WordVectors(names, values, dimension);
    }

    /// <summary>Parses "word x1 … xd" into <paramref name="destination"/> and returns the word.</summary>
    private static string ParseRow(ReadOnlySpan<byte> line, List<Range> fields, Span<float> destination, string path, long lineNumber, string expected)
    {
        ReadOnlySpan<byte> word = line[fields[0]];
        string name = DecodeWord(word, path, $"line {lineNumber}");
        int numbers = fields.Count - 1;
        if (numbers != destination.Length)
            throw new RecurrentException(
                $"{path}, line {lineNumber}: the vector of '{name}' has {numbers} number{(numbers == 1 ? "" : "s")}; {expected}{(numbers < destination.Length ? " (short vector)" : "")}.");
        for (int i = 0; i < numbers; i++)
        {
            ReadOnlySpan<byte> text = line[fields[i + 1]];
            if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out destination[i]))
                throw new RecurrentException($"{path}, line {lineNumber}, field {i + 2}: '{Show(text)}' is not a number (in the vector of '{name}').");
            if (!float.IsFinite(destination[i]))
                throw new RecurrentException($"{path}, line {lineNumber}, field {i + 2}: '{Show(text)}' is not a finite number (in the vector of '{name}').");
        }
        return name;
    }

    private static WordVectors ReadBinary(ByteReader reader, string path, long words, int capacity, int dimension, int maxWords)
    {
        var names = new string[capacity];
        var values = new float[(long)capacity * dimension];
        for (int row = 0; row < words; row++)
        {
            long offset = reader.SkipLineBreaks();
            if (!reader.TryReadUntilSpace(out ReadOnlySpan<byte> word))
                throw new RecurrentException(word.IsEmpty
                    ? $"{path}: the header announces {words:N0} vectors but the file ends after {row:N0} (byte offset {offset})."
                    : $"{path}, vector {row + 1} (byte offset {offset}): the file ends inside its word.");
            string name = DecodeWord(word, path, $"vector {row + 1} (byte offset {offset})");
            // A line break inside a word means records out of step: a vector longer or shorter than the header says.
            if (word.IndexOfAny("\t\n\r\v\f"u8) >= 0)
                throw new RecurrentException($"{path}, vector {row + 1} (byte offset {offset}): the word '{Show(word)}' holds a line break or tab; the vectors before it are not {dimension} floats long, or the file is damaged.");
            if (row == capacity) throw MoreThanTheFileHolds(path, $"vector {row + 1} (byte offset {offset})", words, capacity);
            names[row] = name;
            Span<float> vector = values.AsSpan(row * dimension, dimension);
            Span<byte> bytes = MemoryMarshal.AsBytes(vector);
            int got = reader.ReadBytes(bytes);
            if (got < bytes.Length)
                throw new RecurrentException($"{path}, vector {row + 1} (byte offset {offset}): the file ends inside the vector of '{name}' ({got} of {bytes.Length} bytes; short vector).");
            if (!BitConverter.IsLittleEndian) ReverseFloatBytes(bytes);
            for (int i = 0; i < vector.Length; i++)
                if (!float.IsFinite(vector[i]))
                    throw new RecurrentException($"{path}, vector {row + 1} (byte offset {offset}): value {i + 1} of the vector of '{name}' is {vector[i].ToString(CultureInfo.InvariantCulture)}, not a finite number.");
        }
        if (maxWords == 0)
        {
            long end = reader.SkipLineBreaks();
            if (reader.BytesLeft > 0)
                throw new RecurrentException($"{path}, byte offset {end}: more data after the {words:N0} vectors the header announces (a damaged header or vector?).");
        }
        return new WordVectors(names, values, dimension);
    }

    /// <summary>The error for a header that announces more vectors than the file has room for.</summary>
    private static RecurrentException MoreThanTheFileHolds(string path, string where, long words, int capacity) =>
        new($"{path}, {where}: the header announces {words:N0} vectors, but the file has room for at most {capacity:N0} (a damaged header, or a cut-off file?).");

    private static string DecodeWord(ReadOnlySpan<byte> word, string path, string where)
    {
        if (word.IsEmpty) throw new RecurrentException($"{path}, {where}: the word is empty.");
        if (!Utf8.IsValid(word))
            throw new RecurrentException($"{path}, {where}: the word is not valid UTF-8 (bytes {Convert.ToHexString(word[..Math.Min(word.Length, 16)])}).");
        return Encoding.UTF8.GetString(word);
    }

    /// <summary>The fields of a line, separated by spaces and tabs.</summary>
    private static List<Range> Fields(ReadOnlySpan<byte> line)
    {
        var fields = new List<Range>();
        int i = 0;
        while (i < line.Length)
        {
            while (i < line.Length && line[i] is (byte)' ' or (byte)'\t') i++;
            if (i == line.Length) break;
            int start = i;
            while (i < line.Length && line[i] is not ((byte)' ' or (byte)'\t')) i++;
            fields.Add(start..i);
        }
        return fields;
    }

    private static bool TryParseCount(ReadOnlySpan<byte> line, Range field, out long value) =>
        long.TryParse(line[field], NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static bool IsNumbers(ReadOnlySpan<byte> line, List<Range> fields)
    {
        for (int i = 1; i < fields.Count; i++)
            if (!float.TryParse(line[fields[i]], NumberStyles.Float, CultureInfo.InvariantCulture, out _)) return false;
        return true;
    }

    private static string Show(ReadOnlySpan<byte> bytes)
    {
        string text = Encoding.UTF8.GetString(bytes[..Math.Min(bytes.Length, 60)]);
        return bytes.Length > 60 ? text + "…" : text;
    }

    private static void ReverseFloatBytes(Span<byte> bytes)
    {
        for (int i = 0; i + 4 <= bytes.Length; i += 4) bytes.Slice(i, 4).Reverse();
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Buffered reading of lines, words and raw bytes, keeping count of lines and offsets for errors.</summary>
    private sealed class ByteReader(Stream stream, string path) : IDisposable
    {
        private static readonly SearchValues<byte> s_numberBytes = SearchValues.Create("0123456789+-.eE \t\rnNaAiIfFtTyY"u8);
        private byte[] _buffer = new byte[1 << 16];
        private int _position, _end;
        private long _offset; // file offset of _buffer[0]
        private bool _endOfFile;

        /// <summary>The bytes not yet read: those buffered past the position and those still in the file.</summary>
        public long BytesLeft => _end - _position + Math.Max(0, stream.Length - stream.Position);

        /// <summary>The 1-based number of the last line read.</summary>
        public long Line { get; private set; }

        public bool TryReadLine(out ReadOnlySpan<byte> line)
        {
            int searched = 0;
            while (true)
            {
                int at = _buffer.AsSpan(_position + searched, _end - _position - searched).IndexOf((byte)'\n');
                if (at >= 0)
                {
                    int length = searched + at;
                    line = Trim(_buffer.AsSpan(_position, length));
                    _position += length + 1;
                    Line++;
                    return true;
                }
                searched = _end - _position;
                if (_endOfFile)
                {
                    line = Trim(_buffer.AsSpan(_position, _end - _position));
                    bool any = _end > _position;
                    _position = _end;
                    if (any) Line++;
                    return any;
                }
                if (searched >= MaxLineBytes) throw new RecurrentException($"{path}, line {Line + 1}: the line is longer than {MaxLineBytes >> 20} MB.");
                Fill(searched + 1);
            }
        }

        /// <summary>Skips line feeds and carriage returns (binary records end with one); returns the file offset reached.</summary>
        public long SkipLineBreaks()
        {
            while (true)
            {
                while (_position < _end && _buffer[_position] is (byte)'\n' or (byte)'\r') _position++;
                if (_position < _end || _endOfFile) return _offset + _position;
                Fill(1);
            }
        }

        /// <summary>Reads up to the next space (consumed, not returned); false if the file ends first (the partial word is returned).</summary>
        public bool TryReadUntilSpace(out ReadOnlySpan<byte> word)
        {
            int searched = 0;
            while (true)
            {
                int at = _buffer.AsSpan(_position + searched, _end - _position - searched).IndexOf((byte)' ');
                if (at >= 0)
                {
                    word = _buffer.AsSpan(_position, searched + at);
                    _position += searched + at + 1;
                    return true;
                }
                searched = _end - _position;
                if (_endOfFile)
                {
                    word = _buffer.AsSpan(_position, searched);
                    _position = _end;
                    return false;
                }
                if (searched >= MaxLineBytes) throw new RecurrentException($"{path}, byte offset {_offset + _position}: no space within {MaxLineBytes >> 20} MB; not a word2vec binary file.");
                Fill(searched + 1);
            }
        }

        /// <summary>Copies the next bytes into <paramref name="destination"/>; returns how many there were.</summary>
        public int ReadBytes(Span<byte> destination)
        {
            int copied = 0;
            while (copied < destination.Length)
            {
                if (_position == _end)
                {
                    if (_endOfFile) break;
                    Fill(1);
                    continue;
                }
                int n = Math.Min(destination.Length - copied, _end - _position);
                _buffer.AsSpan(_position, n).CopyTo(destination[copied..]);
                _position += n;
                copied += n;
            }
            return copied;
        }

        /// <summary>
        /// After a word2vec header: whether the first record is binary. Text has, after the first word and its space,
        /// only characters of numbers up to the end of the line; binary has float32 bytes, which practically always
        /// include other bytes within the first 4·dimension.
        /// </summary>
        public bool LooksLikeBinary(int dimension)
        {
            int want = (int)Math.Min(Math.Min(MaxLineBytes, 4L * dimension + 4096), BytesLeft);
            while (_end - _position < want && !_endOfFile) Fill(want);
            ReadOnlySpan<byte> ahead = _buffer.AsSpan(_position, _end - _position);
            int start = 0;
            while (start < ahead.Length && ahead[start] is (byte)'\n' or (byte)'\r') start++;
            int space = ahead[start..].IndexOf((byte)' ');
            if (space < 0) return false; // no record: let the text reader report it
            ReadOnlySpan<byte> rest = ahead.Slice(start + space + 1, (int)Math.Min(4L * dimension, ahead.Length - start - space - 1));
            int newline = rest.IndexOf((byte)'\n');
            if (newline >= 0) rest = rest[..newline];
            return rest.IndexOfAnyExcept(s_numberBytes) >= 0;
        }

        /// <summary>Makes at least <paramref name="want"/> bytes available from the position, unless the file ends.</summary>
        private void Fill(int want)
        {
            if (_position > 0)
            {
                int keep = _end - _position;
                Array.Copy(_buffer, _position, _buffer, 0, keep);
                _offset += _position;
                _position = 0;
                _end = keep;
            }
            if (want > _buffer.Length) Array.Resize(ref _buffer, (int)Math.Min(Array.MaxLength, Math.Max(want, 2L * _buffer.Length)));
            while (_end < want && !_endOfFile)
            {
                int read;
                try
                {
                    read = stream.Read(_buffer, _end, _buffer.Length - _end);
                }
                catch (IOException e)
                {
                    throw new RecurrentException($"Cannot read the vectors file '{path}': {e.Message}", e);
                }
                if (read == 0) _endOfFile = true;
                _end += read;
            }
        }

        private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> line) => line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;

        public void Dispose() => stream.Dispose();
    }
}
