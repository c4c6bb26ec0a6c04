using Recurrent.Tensors;

namespace Recurrent.Data.Labelling;

/// <summary>How to read the files of a tagging corpus.</summary>
/// <param name="TagColumn">CoNLL column files: the tag column, 0-based, or negative from the right (−1: the last).</param>
/// <param name="ConllUTag">CoNLL-U files: the tag field, UPOS or XPOS.</param>
public sealed record LabelledReadOptions(int TagColumn = -1, ConllUTagField ConllUTag = ConllUTagField.Upos);

/// <summary>
/// A tagging corpus: training, development and test sentences and the tag set the model predicts.
/// </summary>
/// <remarks>
/// The tag set is built from the training and development sentences (ordinal order). Test sentences may hold tags
/// it lacks (CoNLL-2000's test file has <c>I-LST</c>, which training never shows); they are listed in
/// <see cref="UnseenTestTags"/>. Score the test set on tag strings (the chunk scorer does), so such tags simply count
/// as errors, as they do for any tagger trained on the training file.
/// </remarks>
public sealed class LabelledCorpus
{
    /// <summary>A corpus of the given splits; the tag set is built from <paramref name="train"/> and <paramref name="dev"/>.</summary>
    public LabelledCorpus(IReadOnlyList<LabelledSentence> train, IReadOnlyList<LabelledSentence> dev, IReadOnlyList<LabelledSentence> test,
        LabelledCorpusFiles? files = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(dev);
        ArgumentNullException.ThrowIfNull(test);
        Train = train;
        Dev = dev;
        Test = test;
        Files = files;
        Tags = TagSet.FromSentences(train.Concat(dev));
        var unseen = new SortedSet<string>(StringComparer.Ordinal);
        foreach (LabelledSentence s in test)
            foreach (string tag in s.TagArray)
                if (!Tags.TryGetId(tag, out _)) unseen.Add(tag);
        UnseenTestTags = [.. unseen];
    }

    /// <summary>The training sentences.</summary>
    public IReadOnlyList<LabelledSentence> Train { get; }

    /// <summary>Development sentences for model selection; empty when the corpus has none (see <see cref="WithHeldOutDev"/>).</summary>
    public IReadOnlyList<LabelledSentence> Dev { get; }

    /// <summary>Test sentences; empty when the corpus has none.</summary>
    public IReadOnlyList<LabelledSentence> Test { get; }

    /// <summary>The files it was read from, or null when built in memory.</summary>
    public LabelledCorpusFiles? Files { get; }

    /// <summary>The tags of the training and development sentences.</summary>
    public TagSet Tags { get; }

    /// <summary>Tags of test sentences that are not in <see cref="Tags"/>, in ordinal order.</summary>
    public IReadOnlyList<string> UnseenTestTags { get; }

    /// <summary>
    /// Reads the corpus at <paramref name="path"/>: a file (the training sentences only) or a folder whose splits are
    /// found by their usual names (<see cref="LabelledCorpusFiles.Find"/>). Each file is read by the reader its name
    /// calls for (<see cref="LabelledCorpusFiles.FormatOf"/>); OCR words become frame sequences.
    /// </summary>
    /// <exception cref="RecurrentException">The files are missing or malformed (see the readers).</exception>
    public static LabelledCorpus Load(string path, LabelledReadOptions? options = null)
    {
        options ??= new LabelledReadOptions();
        LabelledCorpusFiles files = LabelledCorpusFiles.Find(path);
        return new LabelledCorpus(ReadFile(files.Train, options),
            files.Dev is null ? [] : ReadFile(files.Dev, options),
            files.Test is null ? [] : ReadFile(files.Test, options), files);
    }

    /// <summary>The sentences of one file, read as its name calls for.</summary>
    public static List<LabelledSentence> ReadFile(string path, LabelledReadOptions? options = null)
    {
        options ??= new LabelledReadOptions();
        return LabelledCorpusFiles.FormatOf(path) switch
        {
            LabelledFormat.ConllU => ConllUReader.Read(path, options.ConllUTag),
            LabelledFormat.OcrLetters => OcrLetterReader.Read(path).Select(w => w.ToSentence()).ToList(),
            _ => ConllColumnReader.Read(path, options.TagColumn),
        };
    }

    /// <summary>
    /// This corpus with a development set drawn from the training sentences: a seeded random
    /// <paramref name="fraction"/> of them (at least one), removed from training. Both keep file order.
    /// </summary>
    /// <exception cref="InvalidOperationException">The corpus already has a development set, or fewer than two training sentences.</exception>
    public LabelledCorpus WithHeldOutDev(double fraction, ulong seed)
    {
        if (Dev.Count > 0) throw new InvalidOperationException("The corpus already has a development set.");
        if (Train.Count < 2) throw new InvalidOperationException("Holding out a development set needs at least two training sentences.");
        var (dev, train) = RandomSplit(Train, fraction, seed);
        return new LabelledCorpus(train, dev, Test, Files);
    }

    /// <summary>
    /// Splits <paramref name="items"/> at random (seeded): <c>Chosen</c> gets round(fraction · n) of them, clamped to
    /// [1, n − 1] when n ≥ 2, and <c>Others</c> the rest; both keep the input order. For example the OCR protocol of
    /// TensorFlow for Machine Intelligence: a random 66/34 split of the words.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fraction"/> is not in (0, 1).</exception>
    internal static (List<T> Chosen, List<T> Others) RandomSplit<T>(IReadOnlyList<T> items, double fraction, ulong seed)
    {
        if (!(fraction > 0 && fraction < 1)) throw new ArgumentOutOfRangeException(nameof(fraction), $"The fraction {fraction} is not between 0 and 1.");
        int n = items.Count;
        int take = (int)Math.Round(fraction * n);
        if (n >= 2) take = Math.Clamp(take, 1, n - 1);
        // Fisher–Yates over the indices; the first `take` shuffled indices are chosen.
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var random = new RandomGenerator(seed);
        for (int i = n - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        var chosen = new bool[n];
        for (int i = 0; i < take; i++) chosen[order[i]] = true;
        var first = new List<T>(take);
        var rest = new List<T>(n - take);
        for (int i = 0; i < n; i++) (chosen[i] ? first : rest).Add(items[i]);
        return (first, rest);
    }
}
