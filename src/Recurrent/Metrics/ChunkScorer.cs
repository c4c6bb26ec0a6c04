namespace Recurrent.Metrics;

/// <summary>
/// Chunk precision, recall and F1 (overall and per chunk type) and token accuracy, counted exactly as conlleval.pl
/// (the CoNLL-2000 shared task's evaluation script, version 2004-01-26) counts them.
/// </summary>
/// <remarks>
/// <para>Feed it the gold and predicted tags of each token, in order, with a sentence break between sentences, then
/// read <see cref="Result"/>. A tag is split at its first hyphen into a prefix and a type (<c>B-NP</c> → B, NP;
/// <c>O</c> → O, no type; <c>B-ADJ-X</c> → B, ADJ-X); a type written <c>0</c> counts as no type, as in Perl.</para>
/// <para>Between the previous tag (p, type tp) and the current one (c, type tc), of the gold and of the predicted
/// sequence separately, a chunk <b>ends</b> when p→c is B→B, B→O, I→B, I→O, E→E, E→I or E→O; when p is not O nor
/// <c>.</c> and tp ≠ tc; or when p is <c>[</c> or <c>]</c>. A chunk <b>starts</b> when p→c is B→B, I→B, O→B, O→I,
/// E→E, E→I or O→E; when c is not O nor <c>.</c> and tp ≠ tc (so an I- after O starts a chunk, and so does a type
/// change inside a chunk); or when c is <c>[</c> or <c>]</c>. <see cref="ChunkRules.Iobes"/> adds the S and E cases.</para>
/// <para>A sentence break is a token whose gold and predicted tags are both O and that is not counted, so a chunk open
/// at the end of a sentence ends there. A predicted chunk is correct when it starts where a gold chunk starts, with
/// the same type, and both end at the same token with that type, with the two tag sequences agreeing on whether a
/// chunk ends at every token in between and on the types of those tokens. A chunk still open when the counts are read
/// (input without a final break) counts as ended, as conlleval does at end of file.</para>
/// </remarks>
public sealed class ChunkScorer
{
    /// <summary>The first field that makes a line of conlleval input a sentence break.</summary>
    public const string Boundary = "-X-";

    private enum Prefix : byte { O, B, I, E, S, Open, Close, Dot, Other }

    private readonly record struct Tag(Prefix Kind, string Prefix, string Type);

    private static readonly Tag Outside = new(Prefix.O, "O", "");

    private readonly ChunkRules _rules;
    private readonly Dictionary<string, Tag> _parsed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long[]> _perType = new(StringComparer.Ordinal); // gold, predicted, correct
    private Tag _lastGold = Outside, _lastPredicted = Outside;
    private bool _inCorrect;
    private long _tokens, _correctTags, _gold, _predicted, _correct;
    private int _lineColumns = -1;

    /// <summary>A scorer that reads chunks by <paramref name="rules"/>.</summary>
    public ChunkScorer(ChunkRules rules = ChunkRules.Conlleval) => _rules = rules;

    /// <summary>How chunk boundaries are read from the tags.</summary>
    public ChunkRules Rules => _rules;

    /// <summary>Scores one token with gold tag <paramref name="gold"/> and predicted tag <paramref name="predicted"/>.</summary>
    public void AddToken(string gold, string predicted) => Step(Parse(gold), Parse(predicted), boundary: false);

    /// <summary>A sentence break (an empty line in conlleval's input): closes any open chunk.</summary>
    public void EndSentence() => Step(Outside, Outside, boundary: true);

    /// <summary>Scores one sentence: its tokens, then a sentence break.</summary>
    /// <exception cref="ArgumentException">The two tag lists differ in length.</exception>
    public void AddSentence(IReadOnlyList<string> gold, IReadOnlyList<string> predicted)
    {
        if (gold.Count != predicted.Count)
            throw new ArgumentException($"{gold.Count} gold tags but {predicted.Count} predicted tags.", nameof(predicted));
        for (int i = 0; i < gold.Count; i++) AddToken(gold[i], predicted[i]);
        EndSentence();
    }

    /// <summary>
    /// Scores one line of conlleval's input: fields split at <paramref name="delimiter"/> (empty trailing fields
    /// dropped, as Perl's split does), the last two being the gold and the predicted tag. An empty line, or one
    /// whose first field is <see cref="Boundary"/>, is a sentence break.
    /// </summary>
    /// <exception cref="RecurrentException">The line has fewer than two fields or not as many as the first line had.</exception>
    public void AddLine(string line, char delimiter = ' ')
    {
        string[] fields = line.Split(delimiter);
        int count = fields.Length;
        while (count > 0 && fields[count - 1].Length == 0) count--;
        if (_lineColumns < 0 && count > 0) _lineColumns = count;
        else if (count != _lineColumns && count != 0)
            throw new RecurrentException($"conlleval input: a line has {count} fields where the first had {_lineColumns}: '{line}'.");
        if (count == 0 || fields[0] == Boundary)
        {
            EndSentence();
            return;
        }
        if (count < 2) throw new RecurrentException($"conlleval input: a line has {count} field, expected at least a gold and a predicted tag: '{line}'.");
        AddToken(fields[count - 2], fields[count - 1]);
    }

    /// <summary>The scores of everything added so far. Reading them changes nothing; more tokens may follow.</summary>
    public ChunkScores Result()
    {
        long correct = _correct;
        var perType = new List<ChunkTypeScore>(_perType.Count);
        foreach (var (type, counts) in _perType)
        {
            long typeCorrect = counts[2];
            if (_inCorrect && type == _lastGold.Type) typeCorrect++;
            perType.Add(new ChunkTypeScore(type, counts[0], counts[1], typeCorrect));
        }
        if (_inCorrect) correct++;
        perType.Sort((a, b) => string.CompareOrdinal(a.Type, b.Type));
        return new ChunkScores(_tokens, _correctTags, new ChunkTypeScore("", _gold, _predicted, correct), perType);
    }

    /// <summary>Forgets everything added so far.</summary>
    public void Reset()
    {
        _perType.Clear();
        _lastGold = _lastPredicted = Outside;
        _inCorrect = false;
        _tokens = _correctTags = _gold = _predicted = _correct = 0;
        _lineColumns = -1;
    }

    // One line of conlleval's main loop.
    private void Step(Tag gold, Tag predicted, bool boundary)
    {
        if (_inCorrect)
        {
            bool goldEnds = EndOfChunk(_lastGold, gold), predictedEnds = EndOfChunk(_lastPredicted, predicted);
            if (goldEnds && predictedEnds && _lastPredicted.Type == _lastGold.Type)
            {
                _inCorrect = false;
                _correct++;
                Counts(_lastGold.Type)[2]++;
            }
            else if (goldEnds != predictedEnds || predicted.Type != gold.Type)
            {
                _inCorrect = false;
            }
        }

        bool goldStarts = StartOfChunk(_lastGold, gold), predictedStarts = StartOfChunk(_lastPredicted, predicted);
        if (goldStarts && predictedStarts && predicted.Type == gold.Type) _inCorrect = true;
        if (goldStarts)
        {
            _gold++;
            Counts(gold.Type)[0]++;
        }
        if (predictedStarts)
        {
            _predicted++;
            Counts(predicted.Type)[1]++;
        }
        if (!boundary)
        {
            if (gold.Prefix == predicted.Prefix && gold.Type == predicted.Type) _correctTags++;
            _tokens++;
        }
        _lastGold = gold;
        _lastPredicted = predicted;
    }

    private bool EndOfChunk(Tag previous, Tag current)
    {
        Prefix p = previous.Kind, c = current.Kind;
        bool end = (p, c) is (Prefix.B, Prefix.B) or (Prefix.B, Prefix.O) or (Prefix.I, Prefix.B) or (Prefix.I, Prefix.O)
            or (Prefix.E, Prefix.E) or (Prefix.E, Prefix.I) or (Prefix.E, Prefix.O);
        if (_rules == ChunkRules.Iobes)
            end |= p is Prefix.E or Prefix.S && c is Prefix.B or Prefix.I or Prefix.E or Prefix.S or Prefix.O
                || p is Prefix.B or Prefix.I && c is Prefix.S;
        if (p is not (Prefix.O or Prefix.Dot) && previous.Type != current.Type) end = true;
        if (p is Prefix.Close or Prefix.Open) end = true;
        return end;
    }

    private bool StartOfChunk(Tag previous, Tag current)
    {
        Prefix p = previous.Kind, c = current.Kind;
        bool start = (p, c) is (Prefix.B, Prefix.B) or (Prefix.I, Prefix.B) or (Prefix.O, Prefix.B) or (Prefix.O, Prefix.I)
            or (Prefix.E, Prefix.E) or (Prefix.E, Prefix.I) or (Prefix.O, Prefix.E);
        if (_rules == ChunkRules.Iobes)
            start |= c is Prefix.B or Prefix.S && p is Prefix.B or Prefix.I or Prefix.E or Prefix.S or Prefix.O
                || p is Prefix.S && c is Prefix.I or Prefix.E;
        if (c is not (Prefix.O or Prefix.Dot) && previous.Type != current.Type) start = true;
        if (c is Prefix.Open or Prefix.Close) start = true;
        return start;
    }

    private long[] Counts(string type)
    {
        if (!_perType.TryGetValue(type, out long[]? counts)) _perType[type] = counts = new long[3];
        return counts;
    }

    private Tag Parse(string tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        if (_parsed.TryGetValue(tag, out Tag parsed)) return parsed;
        // conlleval: /^([^-]*)-(.*)$/ splits at the first hyphen; no hyphen means the whole tag is the prefix.
        int dash = tag.IndexOf('-');
        string prefix = dash < 0 ? tag : tag[..dash];
        string type = dash < 0 ? "" : tag[(dash + 1)..];
        if (type == "0") type = ""; // Perl: $type = $type ? $type : "", and "0" is false
        Prefix kind = prefix switch
        {
            "O" => Prefix.O, "B" => Prefix.B, "I" => Prefix.I, "E" => Prefix.E, "S" => Prefix.S,
            "[" => Prefix.Open, "]" => Prefix.Close, "." => Prefix.Dot, _ => Prefix.Other,
        };
        parsed = new Tag(kind, prefix, type);
        _parsed[tag] = parsed;
        return parsed;
    }
}
