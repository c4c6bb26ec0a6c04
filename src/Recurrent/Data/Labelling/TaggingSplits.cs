namespace Recurrent.Data.Labelling;

/// <summary>How a tagging corpus is split when its files do not split it themselves.</summary>
/// <param name="ValidFraction">Share of the training sentences held out for model selection when there is no development file.</param>
/// <param name="TestFraction">Share of all sentences held out as the test set when there is no test file (OCR: 0.34).</param>
/// <param name="TestFold">OCR letters: the cross-validation fold to test on (the others train); −1 for a random split.</param>
/// <param name="Seed">The test split draws with <c>seed + 1</c>, the validation split with <c>seed</c>.</param>
public sealed record TaggingSplitOptions(double ValidFraction = 0.1, double TestFraction = 0.1, int TestFold = -1, ulong Seed = 1);

/// <summary>
/// The training, development and test sentences of a tagging run, and where each came from. A folder's own
/// train/dev/test files are used as they are; a missing test set is carved from the sentences at random (or, for
/// OCR letters, taken as one cross-validation fold), then a missing development set from what remains for training.
/// The test set is meant to be used once, at the end.
/// </summary>
public sealed record TaggingSplits(
    IReadOnlyList<LabelledSentence> Train, IReadOnlyList<LabelledSentence> Dev, IReadOnlyList<LabelledSentence> Test,
    string DevSource, string TestSource, LabelledCorpusFiles Files)
{
    /// <summary>Every file the splits were read from, for the run's data digest.</summary>
    public string[] Paths => new[] { Files.Train, Files.Dev, Files.Test }.Where(p => p is not null).Select(p => p!).ToArray();

    /// <summary>Reads and splits the corpus at <paramref name="path"/> (a file or a folder, see <see cref="LabelledCorpusFiles.Find"/>).</summary>
    /// <exception cref="RecurrentException">The files are missing or malformed, a fold is asked of data without folds, or a split comes out empty.</exception>
    public static TaggingSplits Load(string path, LabelledReadOptions read, TaggingSplitOptions split)
    {
        LabelledCorpusFiles files = LabelledCorpusFiles.Find(path);
        IReadOnlyList<LabelledSentence> train, dev = [], test;
        string testSource, devSource;
        if (LabelledCorpusFiles.FormatOf(files.Train) == LabelledFormat.OcrLetters)
        {
            List<OcrWord> words = OcrLetterReader.Read(files.Train);
            if (split.TestFold >= 0)
            {
                if (words.Count > 0 && words[0].Fold < 0)
                    throw new RecurrentException($"{files.Train} has no fold column; a test fold needs letter.data's 10-fold column.");
                var inFold = words.Where(w => w.Fold == split.TestFold).Select(w => w.ToSentence()).ToList();
                if (inFold.Count == 0)
                    throw new RecurrentException($"{files.Train} has no word in fold {split.TestFold}; its folds are {string.Join(", ", words.Select(w => w.Fold).Distinct().Order())}.");
                test = inFold;
                train = words.Where(w => w.Fold != split.TestFold).Select(w => w.ToSentence()).ToList();
                testSource = $"fold {split.TestFold} of {files.Train}";
            }
            else
            {
                (test, train) = LabelledCorpus.RandomSplit(words.Select(w => w.ToSentence()).ToList(), split.TestFraction, split.Seed + 1);
                testSource = $"{split.TestFraction:P0} of the words of {files.Train}, at random";
            }
        }
        else
        {
            if (split.TestFold >= 0) throw new RecurrentException("A test fold applies to OCR letters (letter.data) only.");
            var corpus = LabelledCorpus.Load(path, read);
            train = corpus.Train;
            dev = corpus.Dev;
            if (corpus.Test.Count > 0)
            {
                test = corpus.Test;
                testSource = files.Test!;
            }
            else
            {
                if (train.Count < 3) throw new RecurrentException($"{files.Train} holds {train.Count} sentence(s); holding out test and validation sentences needs at least 3.");
                (test, train) = LabelledCorpus.RandomSplit(train, split.TestFraction, split.Seed + 1);
                testSource = $"{split.TestFraction:P0} of the sentences of {files.Train}, at random";
            }
        }
        if (dev.Count > 0) devSource = files.Dev!;
        else
        {
            if (train.Count < 2) throw new RecurrentException($"Only {train.Count} training sentence(s) are left; holding out validation sentences needs at least 2.");
            (dev, train) = LabelledCorpus.RandomSplit(train, split.ValidFraction, split.Seed);
            devSource = $"{split.ValidFraction:P0} of the training sentences, at random";
        }
        return new TaggingSplits(train, dev, test, devSource, testSource, files);
    }
}
