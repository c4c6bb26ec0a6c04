namespace Recurrent.Data.Labelling;

/// <summary>
/// Reads CoNLL column files (CoNLL-2000 chunking: <c>word POS chunk</c>; CoNLL-2003 NER): one token per line, columns
/// separated by spaces or tabs, sentences separated by blank lines.
/// </summary>
/// <remarks>
/// <para>Column 0 is the word; the tag column is chosen (the last by default); every other column, in file order, is
/// a feature column of the sentence. Every token line of a file must have the same number of columns.</para>
/// <para>A line whose first column is <c>-DOCSTART-</c> (CoNLL-2003 document separators) ends the sentence and is
/// skipped. Lines holding only white space are blank. gzip-compressed files are read transparently.</para>
/// </remarks>
public static class ConllColumnReader
{
    /// <summary>The first column of a CoNLL-2003 document separator line.</summary>
    public const string DocumentStart = "-DOCSTART-";

    /// <summary>The sentences of <paramref name="path"/>.</summary>
    /// <param name="path">A CoNLL column file, possibly gzip-compressed.</param>
    /// <param name="tagColumn">The tag column: 0-based from the left, or negative to count from the right (−1: the last).</param>
    /// <exception cref="RecurrentException">The file cannot be read; a line has a different number of columns than the
    /// first, or too few for a word and a tag; the tag column is the word column or does not exist. The message names
    /// the file and line.</exception>
    public static List<LabelledSentence> Read(string path, int tagColumn = -1)
    {
        var reader = new State(path, tagColumn);
        LabelledTextFile.ForEachLine(path, reader.Line);
        reader.Flush();
        return reader.Sentences;
    }

    /// <summary>As <see cref="Read(string, int)"/> for a stream (not compressed); <paramref name="source"/> names it in errors.</summary>
    public static List<LabelledSentence> Read(Stream stream, string source, int tagColumn = -1)
    {
        var reader = new State(source, tagColumn);
        LabelledTextFile.ForEachLine(stream, source, reader.Line);
        reader.Flush();
        return reader.Sentences;
    }

    private sealed class State(string source, int requestedTagColumn)
    {
        private readonly List<string[]> _rows = [];
        private readonly Dictionary<string, string> _pool = new(StringComparer.Ordinal); // one string per distinct tag or feature value
        private int _columns = -1, _columnsLine, _tagColumn, _startLine;

        public List<LabelledSentence> Sentences { get; } = [];

        public void Line(string line, int lineNumber)
        {
            string[] fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0 || fields[0] == DocumentStart)
            {
                Flush();
                return;
            }
            if (_columns < 0)
            {
                if (fields.Length < 2)
                    throw LabelledTextFile.Error(source, lineNumber,
                        $"'{line}' has 1 column; each token line needs a word and a tag (a missing tag?).");
                int tag = requestedTagColumn < 0 ? fields.Length + requestedTagColumn : requestedTagColumn;
                if (tag <= 0 || tag >= fields.Length)
                    throw LabelledTextFile.Error(source, lineNumber,
                        $"the tag column {requestedTagColumn} does not exist or is the word column: the line has {fields.Length} columns (0 = the word, {fields.Length - 1} or −1 = the last).");
                _columns = fields.Length;
                _columnsLine = lineNumber;
                _tagColumn = tag;
            }
            else if (fields.Length != _columns)
            {
                throw LabelledTextFile.Error(source, lineNumber,
                    $"'{line}' has {fields.Length} column{(fields.Length == 1 ? "" : "s")}, expected {_columns} as on line {_columnsLine}" +
                    (fields.Length < _columns ? " (a missing tag or feature?)." : "."));
            }
            if (_rows.Count == 0) _startLine = lineNumber;
            _rows.Add(fields);
        }

        public void Flush()
        {
            int n = _rows.Count;
            if (n == 0) return;
            var tokens = new string[n];
            var tags = new string[n];
            var features = new string[_columns - 2][];
            for (int c = 0; c < features.Length; c++) features[c] = new string[n];
            for (int i = 0; i < n; i++)
            {
                string[] row = _rows[i];
                tokens[i] = row[0];
                tags[i] = Intern(row[_tagColumn]);
                int f = 0;
                for (int c = 1; c < _columns; c++)
                    if (c != _tagColumn) features[f++][i] = Intern(row[c]);
            }
            Sentences.Add(new LabelledSentence(tokens, tags, features, source, _startLine));
            _rows.Clear();
        }

        private string Intern(string value)
        {
            if (_pool.TryGetValue(value, out string? pooled)) return pooled;
            _pool[value] = value;
            return value;
        }
    }
}
