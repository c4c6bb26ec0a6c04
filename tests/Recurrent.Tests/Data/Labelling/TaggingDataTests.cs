using Recurrent.Data.Labelling;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Data.Labelling;

/// <summary>The tagger's vocabularies, encoding, batches and splits, on small hand-made sentences.</summary>
public class TaggingDataTests
{
    private static LabelledSentence S(string words, string tags, string? pos = null) =>
        new(words.Split(' '), tags.Split(' '), pos is null ? null : [pos.Split(' ')], "t.txt", 1);

    private static readonly TaggingOptions Text = new()
    {
        Words = true, Characters = true, Features = true, Lowercase = true, ZeroDigits = true, MaxWordChars = 4, TagEncoding = TagEncoding.Iobes,
    };

    private static List<LabelledSentence> Train() =>
    [
        S("The cat sat in 1987", "B-NP I-NP B-VP B-PP B-NP", "DT NN VB IN CD"),
        S("the Dog", "B-NP I-NP", "DT NN"),
        S("Cats sat .", "B-NP B-VP O", "NN VB ."),
    ];

    [Fact]
    public void VocabulariesCountTheTrainingWordsAsLookedUp()
    {
        TaggingVocabularies v = TaggingVocabularies.Build(Train(), [], Text);
        // <pad>, <unk>, then by count (sat ×2, the ×2), ties in ordinal order; lower-cased, 1987 → 0000.
        Assert.Equal(["<pad>", "<unk>", "sat", "the", ".", "0000", "cat", "cats", "dog", "in"], v.Words.Words);
        Assert.True(v.Characters.TryGetId("T", out _)); // characters keep their case
        Assert.True(v.Characters.TryGetId("t", out _));
        Assert.Equal(["<pad>", "<unk>", "NN", "DT", "VB", ".", "CD", "IN"], v.Features[0].Words);
        // Tags in the IOBES encoding, ordinal order; data tags map back per id.
        Assert.Equal(["B-NP", "E-NP", "O", "S-NP", "S-PP", "S-VP"], v.Tags.Names);
        Assert.Equal(["B-NP", "I-NP", "O", "B-NP", "B-PP", "B-VP"], Enumerable.Range(0, 6).Select(v.DataTag));
        Assert.True(v.IsChunkTagging);
    }

    [Fact]
    public void EncodesUnknownWordsTagsAndFeaturesAndSharesForms()
    {
        TaggingVocabularies v = TaggingVocabularies.Build(Train(), [], Text);
        TaggedSequences data = v.Encode([S("The zebra sat in 2003", "B-NP I-NP B-VP B-LST B-NP", "DT NN VB XX CD"), S("The", "B-NP", "DT")]);
        Assert.Equal([0, 5, 6], data.Offsets);
        Assert.Equal([v.Words.IdOf("the"), 1, v.Words.IdOf("sat"), v.Words.IdOf("in"), v.Words.IdOf("0000"), v.Words.IdOf("the")], data.Words);
        Assert.Equal(1, data.UnknownWords);
        Assert.Equal(1, data.Features[0][3]); // XX is not a known POS
        Assert.Equal(-1, data.Tags[3]);       // S-LST is not a known tag
        Assert.Equal(v.Tags.IdOf("B-NP"), data.Tags[0]);
        Assert.Equal(v.Tags.IdOf("E-NP"), data.Tags[1]);
        // "The" twice is one form; "zebra" is spelled as its first 2 and last 2 characters.
        Assert.Equal(data.Forms[0], data.Forms[5]);
        Assert.Equal(5, data.FormCount);
        int zebra = data.Forms[1];
        string spelled = string.Concat(data.FormChars[data.FormOffsets[zebra]..data.FormOffsets[zebra + 1]].Select(c => c == 1 ? "?" : v.Characters.WordOf(c)));
        Assert.Equal("?e?a", spelled); // z and b never occur in training
        Assert.Equal("zera", TaggingVocabularies.Spelling("zebra", 4));
        Assert.Equal("abcxyz", TaggingVocabularies.Spelling("abcdefxyz", 6));
        Assert.Equal("ab😀", TaggingVocabularies.Spelling("ab😀", 3)); // scalars, not UTF-16 units
    }

    [Fact]
    public void BatchesAreTimeMajorWithOneSpellingPerDistinctForm()
    {
        TaggingVocabularies v = TaggingVocabularies.Build(Train(), [], Text);
        TaggedSequences data = v.Encode(Train());
        var batcher = new TaggingBatcher(data, 3);
        TaggingBatch batch = batcher.CreateBatch();
        batcher.Fill(0, batch);
        // Evaluation order: longest first.
        Assert.Equal([0, 2, 1], batch.Indices.ToArray());
        Assert.Equal([5, 3, 2], batch.Lengths.ToArray());
        Assert.Equal(10, batch.RealTokens);
        int B = 3;
        Assert.Equal(data.Words[data.Offsets[2] + 1], batch.Words[1 * B + 1]); // "sat" of sentence 2 at t = 1, row 1
        Assert.Equal(0, batch.Words[3 * B + 1]);                               // padding
        Assert.Equal(-1, batch.Tags[3 * B + 2]);
        Assert.Equal(-1, batch.TokenForms[4 * B + 1]);
        // "The" and "the" are two forms (case kept); "sat" twice is one: 10 tokens, 9 forms.
        Assert.Equal(9, batch.Forms);
        Assert.Equal(batch.TokenForms[2 * B + 0], batch.TokenForms[1 * B + 1]);
        Assert.NotEqual(batch.TokenForms[0 * B + 0], batch.TokenForms[0 * B + 2]);
        // The characters of a form, time-major over the batch's forms.
        int u = batch.TokenForms[0]; // "The"
        Assert.Equal(3, batch.CharLengths[u]);
        Assert.Equal(["T", "h", "e"], Enumerable.Range(0, 3).Select(c => v.Characters.WordOf(batch.CharIds[c * batch.Forms + u])));
        Assert.Equal(4, batch.CharSteps); // "1987"
    }

    [Fact]
    public void TrainingOrderIsAPureFunctionOfSeedAndEpoch()
    {
        var sentences = Enumerable.Range(0, 50).Select(i => S(string.Join(' ', Enumerable.Repeat("w", 1 + i % 7)), string.Join(' ', Enumerable.Repeat("O", 1 + i % 7)))).ToList();
        TaggingVocabularies v = TaggingVocabularies.Build(sentences, [], Text with { Features = false, TagEncoding = TagEncoding.None });
        TaggedSequences data = v.Encode(sentences);
        List<int> Order(int epoch)
        {
            var batcher = new TaggingBatcher(data, 8);
            batcher.ShuffleEpoch(3, epoch);
            TaggingBatch batch = batcher.CreateBatch();
            var seen = new List<int>();
            for (int i = 0; i < batcher.BatchCount; i++)
            {
                batcher.Fill(i, batch);
                seen.AddRange(batch.Indices.ToArray());
            }
            return seen;
        }
        Assert.Equal(Order(1), Order(1));
        Assert.NotEqual(Order(1), Order(2));
        Assert.Equal(Enumerable.Range(0, 50), Order(2).Order());
    }

    [Fact]
    public void InputsThatDoNotFitTheModelAreRefusedWithTheirPlace()
    {
        var e = Assert.Throws<RecurrentException>(() => TaggingVocabularies.Build([S("a b", "NN VB")], [], Text));
        Assert.Contains("t.txt, line 1", e.Message);
        Assert.Contains("NN", e.Message);
        TaggingVocabularies v = TaggingVocabularies.Build(Train(), [], Text);
        e = Assert.Throws<RecurrentException>(() => v.Encode([S("a b", "O O")]));
        Assert.Contains("0 feature columns", e.Message);
        e = Assert.Throws<RecurrentException>(() => v.Encode([new LabelledSentence(new float[4], 2, ["a", "b"], "letter.data", 7)]));
        Assert.Contains("letter.data, line 7", e.Message);
        TaggingVocabularies frames = TaggingVocabularies.Build([new LabelledSentence(new float[4], 2, ["a", "b"])], [],
            new TaggingOptions { Words = false, FrameSize = 2 });
        e = Assert.Throws<RecurrentException>(() => frames.Encode([new LabelledSentence(new float[3], 3, ["a"], "x.data", 2)]));
        Assert.Contains("frames of 3 floats", e.Message);
    }

    [Fact]
    public void OcrSplitsAtRandomOrByFold()
    {
        using var dir = new TempDirectory();
        var words = Enumerable.Range(1, 30).Select(i => (i, i % 3, "ab")).ToArray();
        string path = LabellingTestFiles.Write(dir.File("letter.data"), LabellingTestFiles.LetterData(words));
        TaggingSplits random = TaggingSplits.Load(path, new LabelledReadOptions(), new TaggingSplitOptions(0.1, 0.34, -1, 1));
        Assert.Equal(10, random.Test.Count); // round(0.34 · 30)
        Assert.Equal(2, random.Dev.Count);   // round(0.1 · 20)
        Assert.Equal(18, random.Train.Count);
        Assert.Empty(random.Train.Select(s => s.Line).Intersect(random.Test.Select(s => s.Line)));
        TaggingSplits again = TaggingSplits.Load(path, new LabelledReadOptions(), new TaggingSplitOptions(0.1, 0.34, -1, 1));
        Assert.Equal(random.Test.Select(s => s.Line), again.Test.Select(s => s.Line));

        TaggingSplits fold = TaggingSplits.Load(dir.Path, new LabelledReadOptions(), new TaggingSplitOptions(0.1, 0.34, 2, 1));
        Assert.Equal(10, fold.Test.Count);
        Assert.All(fold.Test, s => Assert.Equal(2, (s.Line + 1) / 2 % 3)); // word i starts on line 2i − 1 and has fold i % 3
        Assert.Equal(20, fold.Train.Count + fold.Dev.Count);
        var e = Assert.Throws<RecurrentException>(() => TaggingSplits.Load(path, new LabelledReadOptions(), new TaggingSplitOptions(0.1, 0.34, 7, 1)));
        Assert.Contains("fold 7", e.Message);

        string conll = LabellingTestFiles.Write(dir.File("train.txt"), "a DT B-NP\nb NN I-NP\n\nc VB B-VP\n\nd NN B-NP\n\ne NN B-NP\n");
        e = Assert.Throws<RecurrentException>(() => TaggingSplits.Load(conll, new LabelledReadOptions(), new TaggingSplitOptions(0.1, 0.34, 1, 1)));
        Assert.Contains("OCR", e.Message);
        TaggingSplits carved = TaggingSplits.Load(conll, new LabelledReadOptions(), new TaggingSplitOptions(0.3, 0.25, -1, 1));
        Assert.Equal((2, 1, 1), (carved.Train.Count, carved.Dev.Count, carved.Test.Count));
    }
}
