using System.Numerics.Tensors;

namespace Recurrent.Embeddings;

/// <summary>
/// Word vectors: a list of words and a row-major float matrix with one row per word, as word2vec and GloVe files
/// hold them (see <c>Recurrent.Data.WordVectorsFile</c>). Rows keep the file's order, which for word2vec files is by
/// decreasing frequency.
/// </summary>
/// <remarks>
/// Similarities are cosines, <c>cos(u, v) = u·v / (‖u‖·‖v‖)</c>; a zero row has similarity 0 to everything.
/// <see cref="Analogy"/> is word2vec's word-analogy (3CosAdd): for <c>a b c</c> ("a is to b as c is to ?") it ranks
/// the words x by <c>cos(x, b̂ − â + ĉ)</c>, where <c>v̂ = v/‖v‖</c>, leaving out a, b and c.
/// </remarks>
public sealed class WordVectors
{
    private readonly string[] _words;
    private readonly float[] _values;
    private readonly Dictionary<string, int> _index;
    private float[]? _unit;

    /// <summary>Wraps <paramref name="values"/> (not copied): row i, of <paramref name="dimension"/> floats, belongs to <c>words[i]</c>.</summary>
    /// <exception cref="ArgumentException">The sizes disagree, the dimension is not positive, or a word is null or empty.</exception>
    public WordVectors(IReadOnlyList<string> words, float[] values, int dimension)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if ((long)words.Count * dimension != values.Length)
            throw new ArgumentException($"{words.Count} words of dimension {dimension} need {(long)words.Count * dimension} values, not {values.Length}.", nameof(values));
        _words = new string[words.Count];
        _index = new Dictionary<string, int>(words.Count, StringComparer.Ordinal);
        for (int i = 0; i < _words.Length; i++)
        {
            string w = words[i];
            if (string.IsNullOrEmpty(w)) throw new ArgumentException($"Word {i} is empty.", nameof(words));
            _words[i] = w;
            _index.TryAdd(w, i); // a repeated word is found at its first row
        }
        _values = values;
        Dimension = dimension;
    }

    /// <summary>Reads a word2vec text or binary file, or a GloVe text file (the format is told from the content).</summary>
    /// <exception cref="RecurrentException">The file does not exist or is malformed (the message names the line).</exception>
    public static WordVectors Load(string path) => Data.WordVectorsFile.Read(path);

    /// <summary>Number of words (rows).</summary>
    public int Count => _words.Length;

    /// <summary>Length of each vector.</summary>
    public int Dimension { get; }

    /// <summary>The words in row order.</summary>
    public IReadOnlyList<string> Words => _words;

    /// <summary>All vectors, row-major (<see cref="Count"/> × <see cref="Dimension"/>).</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <summary>The vector of row <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> this[int index] => _values.AsSpan(checked(index * Dimension), Dimension);

    /// <summary>The row of <paramref name="word"/> (its first, if repeated), or -1.</summary>
    public int IndexOf(string word) => _index.TryGetValue(word, out int i) ? i : -1;

    /// <summary>The vector of <paramref name="word"/>.</summary>
    /// <exception cref="RecurrentException">The word has no vector.</exception>
    public ReadOnlySpan<float> VectorOf(string word) => this[Require(word)];

    /// <summary>The <paramref name="count"/> words most similar to <paramref name="word"/>, best first, leaving out the word itself.</summary>
    /// <exception cref="RecurrentException">The word has no vector.</exception>
    public IReadOnlyList<WordScore> Nearest(string word, int count)
    {
        int i = Require(word);
        return Nearest(UnitRow(i), count, [i]);
    }

    /// <summary>The <paramref name="count"/> words most similar to <paramref name="vector"/>, best first, leaving out the rows in <paramref name="exclude"/>.</summary>
    public IReadOnlyList<WordScore> Nearest(ReadOnlySpan<float> vector, int count, ReadOnlySpan<int> exclude = default)
    {
        if (vector.Length != Dimension) throw new ArgumentException($"The vector has {vector.Length} values, not {Dimension}.", nameof(vector));
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        float norm = TensorPrimitives.Norm(vector);
        float[] unit = Unit();
        var best = new List<WordScore>(count + 1);
        for (int r = 0; r < Count; r++)
        {
            if (exclude.Contains(r)) continue;
            float similarity = norm > 0 ? TensorPrimitives.Dot(vector, unit.AsSpan(r * Dimension, Dimension)) / norm : 0;
            if (best.Count == count && (count == 0 || similarity <= best[^1].Similarity)) continue;
            int at = best.Count;
            while (at > 0 && best[at - 1].Similarity < similarity) at--;
            best.Insert(at, new WordScore(_words[r], r, similarity));
            if (best.Count > count) best.RemoveAt(best.Count - 1);
        }
        return best;
    }

    /// <summary>
    /// word2vec's analogy for <c>a b c</c>, "a is to b as c is to ?": the <paramref name="count"/> words x with the
    /// highest <c>cos(x, b̂ − â + ĉ)</c>, leaving out a, b and c (for <c>man king woman</c> the answer is queen).
    /// </summary>
    /// <exception cref="RecurrentException">One of the words has no vector.</exception>
    public IReadOnlyList<WordScore> Analogy(string a, string b, string c, int count)
    {
        int ia = Require(a), ib = Require(b), ic = Require(c);
        var target = new float[Dimension];
        UnitRow(ib).CopyTo(target);
        TensorPrimitives.Subtract(target, UnitRow(ia), target);
        TensorPrimitives.Add(target, UnitRow(ic), target);
        return Nearest(target, count, [ia, ib, ic]);
    }

    /// <summary>Row <paramref name="index"/> divided by its length (zero for a zero row).</summary>
    internal ReadOnlySpan<float> UnitRow(int index) => Unit().AsSpan(index * Dimension, Dimension);

    private float[] Unit()
    {
        if (_unit is { } unit) return unit;
        unit = new float[_values.Length];
        for (int r = 0; r < Count; r++)
        {
            ReadOnlySpan<float> row = _values.AsSpan(r * Dimension, Dimension);
            float norm = TensorPrimitives.Norm(row);
            if (norm > 0) TensorPrimitives.Divide(row, norm, unit.AsSpan(r * Dimension, Dimension));
        }
        return _unit = unit;
    }

    private int Require(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        int i = IndexOf(word);
        if (i < 0) throw new RecurrentException($"The word '{word}' has no vector ({Count:N0} words).");
        return i;
    }
}
