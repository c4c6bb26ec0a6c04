using Recurrent.Data;
using Recurrent.Data.Classification;
using Recurrent.Text;

namespace Recurrent.Tests.Data.Classification;

public class TextEncoderTests
{
    private static LabeledText Example(string text, string label = "x") => new(text, label, "test");

    [Fact]
    public void VocabularyFromTheTrainingIndicesOnly()
    {
        LabeledText[] examples =
        [
            Example("the cat and the dog"),
            Example("The bird. THE END"),
            Example("zebra zebra zebra zebra"), // not in the training indices
            Example("a cat"),
        ];
        Vocabulary v = ClassificationVocabulary.Build(examples, [0, 1, 3], EnglishTokenizer.Tokenize);
        // the: 4, cat: 2, then count 1 in ordinal order: a and bird dog end.
        Assert.Equal(["<pad>", "<unk>", "the", "cat", "a", "and", "bird", "dog", "end"], v.Words);
        Assert.Equal(ClassificationVocabulary.PaddingId, v.IdOf("<pad>"));
        Assert.Equal(ClassificationVocabulary.UnknownId, v.UnknownId);
        Assert.False(v.TryGetId("zebra", out _));
    }

    [Fact]
    public void MaxSizeAndMinCount()
    {
        var counts = new Dictionary<string, int> { ["b"] = 3, ["a"] = 3, ["c"] = 2, ["d"] = 1, ["<unk>"] = 9, ["<pad>"] = 9 };
        Assert.Equal(["<pad>", "<unk>", "a", "b", "c", "d"], ClassificationVocabulary.FromCounts(counts).Words);
        Assert.Equal(["<pad>", "<unk>", "a", "b", "c"], ClassificationVocabulary.FromCounts(counts, minCount: 2).Words);
        Assert.Equal(["<pad>", "<unk>", "a", "b"], ClassificationVocabulary.FromCounts(counts, maxSize: 4).Words);
        Assert.Equal(["<pad>", "<unk>", "a"], ClassificationVocabulary.FromCounts(counts, maxSize: 3, minCount: 3).Words);
        Assert.Throws<RecurrentException>(() => ClassificationVocabulary.FromCounts(counts, maxSize: 2));
        Assert.Throws<RecurrentException>(() => ClassificationVocabulary.FromCounts(counts, minCount: 0));
    }

    [Fact]
    public void EncodesAndTruncatesBothSides()
    {
        var v = new Vocabulary(["<pad>", "<unk>", "a", "b", "c", "d"]);
        Assert.Equal([2, 3, 1, 4, 5], new TextEncoder(v).Encode("A b zzz C d"));
        Assert.Equal([2, 3, 1], new TextEncoder(v, maxLength: 3, TruncationSide.KeepStart).Encode("a b zzz c d"));
        Assert.Equal([1, 4, 5], new TextEncoder(v, maxLength: 3, TruncationSide.KeepEnd).Encode("a b zzz c d"));
        Assert.Equal([2, 3], new TextEncoder(v, maxLength: 3, TruncationSide.KeepEnd).Encode("a b"));
        // No token at all: one <unk>, so there is a step to classify from.
        Assert.Equal([1], new TextEncoder(v).Encode("!!! <br />"));
        Assert.Throws<ArgumentException>(() => new TextEncoder(new Vocabulary(["a"])));
    }

    [Fact]
    public void EncodesASubsetWithStatistics()
    {
        var v = new Vocabulary(["<pad>", "<unk>", "a", "b"]);
        LabeledText[] examples = [Example("a b a b a"), Example("b"), Example("?!"), Example("q a")];
        int[] labels = [1, 0, 1, 0];
        var encoder = new TextEncoder(v, maxLength: 2, TruncationSide.KeepStart);
        EncodedExamples encoded = encoder.Encode(examples, labels, [3, 0, 2]);
        Assert.Equal(3, encoded.Count);
        Assert.Equal([1, 2], encoded[0].ToArray());
        Assert.Equal([2, 3], encoded[1].ToArray());
        Assert.Equal([1], encoded[2].ToArray());
        Assert.Equal([0, 2, 4, 5], encoded.Offsets);
        Assert.Equal([0, 1, 1], encoded.Labels);
        Assert.Equal([3, 0, 2], encoded.SourceIndices);
        Assert.Equal(2, encoded.MaxLength);
        // 2 + 5 + 1 (the <unk> of the empty text) tokens before truncation, 5 after, 2 of them <unk>.
        Assert.Equal(new EncodingStatistics(3, 5, 2, 1, 8, 1), encoded.Statistics);
        Assert.Equal(0.4, encoded.Statistics.UnknownFraction, 12);

        EncodedExamples all = encoder.Encode(examples, labels);
        Assert.Equal([0, 1, 2, 3], all.SourceIndices);
        Assert.Equal([3], all[1].ToArray());
    }
}
