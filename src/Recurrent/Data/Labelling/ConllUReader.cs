namespace Recurrent.Data.Labelling;

/// <summary>
/// Reads CoNLL-U files (Universal Dependencies) as tagging data: each word's FORM with its UPOS or XPOS.
/// </summary>
/// <remarks>
/// <para>A token line has 10 tab-separated fields: ID FORM LEMMA UPOS XPOS FEATS HEAD DEPREL DEPS MISC. Sentences are
/// separated by blank lines; lines starting with <c>#</c> are comments. Only word lines (integer ID) are kept:
/// multi-word token ranges (<c>3-4</c>, the surface form of words listed after it) and empty nodes (<c>3.1</c>, enhanced
/// graphs only) are skipped, so the words are the gold tokenisation the tags belong to. Word IDs must run 1, 2, 3, …
/// in each sentence. gzip-compressed files are read transparently.</para>
/// </remarks>
public static class ConllUReader
{
    private const int FieldCount = 10;

    /// <summary>The sentences of <paramref name="path"/>, with the tags of <paramref name="field"/>.</summary>
    /// <exception cref="RecurrentException">The file cannot be read; a line does not have 10 fields; an ID is malformed or
    /// out of sequence; a word has no tag (<c>_</c>). The message names the file and line.</exception>
    public static List<LabelledSentence> Read(string path, ConllUTagField field = ConllUTagField.Upos)
    {
        var reader = new State(path, field);
        LabelledTextFile.ForEachLine(path, reader.Line);
        reader.Flush();
        return reader.Sentences;
    }

    /// <summary>As <see cref="Read(string, ConllUTagField)"/> for a stream (not compressed); <paramref name="source"/> names it in errors.</summary>
    public static List<LabelledSentence> Read(Stream stream, string source, ConllUTagField field = ConllUTagField.Upos)
    {
        var reader = new State(source, field);
        LabelledTextFile.ForEachLine(stream, source, reader.Line);
        reader.Flush();
        return reader.Sentences;
    }

    private sealed class State(string source, ConllUTagField field)
    {
        private readonly List<string> _forms = [], _tags = [];
        private readonly Dictionary<string, string> _pool = new(StringComparer.Ordinal);
        private int _startLine;

        public List<LabelledSentence> Sentences { get; } = [];

        public void Line(string line, int lineNumber)
        {
            if (line.Length == 0 || line.AsSpan().IsWhiteSpace())
            {
                Flush();
                return;
            }
            if (line[0] == '#') return;
            string[] fields = line.Split('\t');
            if (fields.Length != FieldCount)
                throw LabelledTextFile.Error(source, lineNumber,
                    $"{fields.Length} tab-separated field{(fields.Length == 1 ? "" : "s")}, expected {FieldCount} (ID FORM LEMMA UPOS XPOS FEATS HEAD DEPREL DEPS MISC).");
            string id = fields[0];
            if (id.Contains('-') || id.Contains('.'))
            {
                if (!IsRange(id, id.Contains('-') ? '-' : '.'))
                    throw LabelledTextFile.Error(source, lineNumber, $"the ID '{id}' is neither a word number, a range like 3-4 nor an empty node like 3.1.");
                return;
            }
            if (!int.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int number))
                throw LabelledTextFile.Error(source, lineNumber, $"the ID '{id}' is not a word number.");
            if (number != _forms.Count + 1)
                throw LabelledTextFile.Error(source, lineNumber, $"word {number} follows word {_forms.Count}; word IDs must run 1, 2, 3, … (a missing blank line between sentences?).");
            string tag = fields[field == ConllUTagField.Upos ? 3 : 4];
            if (tag.Length == 0 || tag == "_")
                throw LabelledTextFile.Error(source, lineNumber, $"word {number} ('{fields[1]}') has no {(field == ConllUTagField.Upos ? "UPOS" : "XPOS")} tag.");
            if (_forms.Count == 0) _startLine = lineNumber;
            _forms.Add(fields[1]);
            if (!_pool.TryGetValue(tag, out string? pooled)) _pool[tag] = pooled = tag;
            _tags.Add(pooled);
        }

        public void Flush()
        {
            if (_forms.Count == 0) return;
            Sentences.Add(new LabelledSentence(_forms.ToArray(), _tags.ToArray(), null, source, _startLine));
            _forms.Clear();
            _tags.Clear();
        }

        private static bool IsRange(string id, char separator)
        {
            int at = id.IndexOf(separator);
            return at > 0 && at < id.Length - 1 && id.AsSpan(0, at).IndexOfAnyExceptInRange('0', '9') < 0
                && id.AsSpan(at + 1).IndexOfAnyExceptInRange('0', '9') < 0;
        }
    }
}
