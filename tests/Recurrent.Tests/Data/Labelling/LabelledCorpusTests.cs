using Recurrent.Data.Labelling;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Data.Labelling;

public class LabelledCorpusTests
{
    private static string Conllu(params string[] tags) =>
        string.Concat(tags.Select((t, i) => $"{i + 1}\tw{i}\t_\t{t}\tXX\t_\t0\troot\t_\t_\n")) + "\n";

    [Fact]
    public void FindsConllSplitsByTheirUsualNames()
    {
        using var dir = new TempDirectory();
        LabellingTestFiles.Write(dir.File("train.txt"), "a DT B-NP\nb NN I-NP\n\nc VBZ B-VP\n");
        LabellingTestFiles.Write(dir.File("test.txt"), "d DT B-LST\ne NN I-LST\n");
        LabelledCorpus corpus = LabelledCorpus.Load(dir.Path);
        Assert.Equal(new LabelledCorpusFiles(dir.File("train.txt"), null, dir.File("test.txt")), corpus.Files);
        Assert.Equal(2, corpus.Train.Count);
        Assert.Empty(corpus.Dev);
        Assert.Single(corpus.Test);
        Assert.Equal(["B-NP", "B-VP", "I-NP"], corpus.Tags.Names);
        Assert.Equal(["B-LST", "I-LST"], corpus.UnseenTestTags);
        Assert.Equal(2, corpus.Tags.IdOf("I-NP"));
        Assert.Contains("'I-LST' is not one of the 3 known tags", Assert.Throws<RecurrentException>(() => corpus.Tags.IdOf("I-LST")).Message);
    }

    [Fact]
    public void FindsUniversalDependenciesSplitsCompressedOrNot()
    {
        using var dir = new TempDirectory();
        LabellingTestFiles.Write(dir.File("en_ewt-ud-train.conllu.gz"), Conllu("NOUN", "VERB"), gzip: true);
        LabellingTestFiles.Write(dir.File("en_ewt-ud-dev.conllu"), Conllu("ADJ"));
        LabellingTestFiles.Write(dir.File("en_ewt-ud-test.conllu"), Conllu("NOUN"));
        LabellingTestFiles.Write(dir.File("README.md"), "not data");
        LabelledCorpus corpus = LabelledCorpus.Load(dir.Path);
        Assert.Equal(dir.File("en_ewt-ud-train.conllu.gz"), corpus.Files!.Train);
        Assert.Equal(dir.File("en_ewt-ud-dev.conllu"), corpus.Files.Dev);
        Assert.Equal(["ADJ", "NOUN", "VERB"], corpus.Tags.Names); // train and dev
        Assert.Empty(corpus.UnseenTestTags);
        Assert.Equal(["XX"], LabelledCorpus.Load(dir.Path, new LabelledReadOptions(ConllUTag: ConllUTagField.Xpos)).Tags.Names);

        // A second treebank in the same folder makes "*-ud-train.conllu" ambiguous.
        LabellingTestFiles.Write(dir.File("en_gum-ud-train.conllu"), Conllu("NOUN"));
        Assert.Contains("2 candidate files for one split (en_ewt-ud-train.conllu, en_gum-ud-train.conllu)", Assert.Throws<RecurrentException>(() => LabelledCorpus.Load(dir.Path)).Message);
    }

    [Fact]
    public void AFileIsTheTrainingSetAndAnOcrFolderIsItsLetterFile()
    {
        using var dir = new TempDirectory();
        string file = LabellingTestFiles.Write(dir.File("mine.conllu"), Conllu("NOUN"));
        Assert.Equal(new LabelledCorpusFiles(file, null, null), LabelledCorpusFiles.Find(file));
        Assert.Equal(LabelledFormat.ConllU, LabelledCorpusFiles.FormatOf(file));

        using var ocr = new TempDirectory();
        LabellingTestFiles.Write(ocr.File("letter.data.gz"), LabellingTestFiles.LetterData([(1, 0, "ab"), (2, 1, "c")]), gzip: true);
        LabellingTestFiles.Write(ocr.File("train.txt.gz"), "ignored", gzip: true);
        LabelledCorpus corpus = LabelledCorpus.Load(ocr.Path);
        Assert.Equal(new LabelledCorpusFiles(ocr.File("letter.data.gz"), null, null), corpus.Files);
        Assert.Equal([2, 1], corpus.Train.Select(s => s.Length));
        Assert.Equal(["a", "b", "c"], corpus.Tags.Names);
        Assert.Equal(128, corpus.Train[0].FrameSize);

        using var empty = new TempDirectory();
        Assert.Contains("has no training file", Assert.Throws<RecurrentException>(() => LabelledCorpus.Load(empty.Path)).Message);
        Assert.Contains("neither a file nor a folder", Assert.Throws<RecurrentException>(() => LabelledCorpus.Load(empty.File("nothing"))).Message);
    }

    [Fact]
    public void HeldOutDevIsASeededPartitionOfTrainInFileOrder()
    {
        var train = Enumerable.Range(0, 50).Select(i => new LabelledSentence([$"w{i}"], [i % 2 == 0 ? "A" : "B"])).ToList();
        var corpus = new LabelledCorpus(train, [], []);
        LabelledCorpus a = corpus.WithHeldOutDev(0.1, 7), b = corpus.WithHeldOutDev(0.1, 7), c = corpus.WithHeldOutDev(0.1, 8);
        Assert.Equal(5, a.Dev.Count);
        Assert.Equal(45, a.Train.Count);
        Assert.Equal(a.Dev, b.Dev); // same seed, same sentences
        Assert.NotEqual(a.Dev, c.Dev);
        Assert.Equal(train.Count, a.Train.Concat(a.Dev).Distinct().Count());
        int Index(LabelledSentence s) => int.Parse(s.Tokens[0][1..]);
        Assert.True(a.Dev.Select(Index).SequenceEqual(a.Dev.Select(Index).Order()));
        Assert.True(a.Train.Select(Index).SequenceEqual(a.Train.Select(Index).Order()));
        Assert.Throws<InvalidOperationException>(() => a.WithHeldOutDev(0.1, 1));

        // The book's OCR split: 66 % of 100 words; never empty on either side.
        var (chosen, others) = LabelledCorpus.RandomSplit(Enumerable.Range(0, 100).ToList(), 0.66, 3);
        Assert.Equal((66, 34), (chosen.Count, others.Count));
        Assert.Equal((1, 1), (LabelledCorpus.RandomSplit([1, 2], 0.01, 3).Chosen.Count, LabelledCorpus.RandomSplit([1, 2], 0.99, 3).Others.Count));
    }

    [Fact]
    public void SentencesCheckTheirShapes()
    {
        Assert.Throws<ArgumentException>(() => new LabelledSentence(["a", "b"], ["X"]));
        Assert.Throws<ArgumentException>(() => new LabelledSentence([], []));
        Assert.Throws<ArgumentException>(() => new LabelledSentence(["a"], ["X"], [["f", "g"]]));
        Assert.Throws<ArgumentException>(() => new LabelledSentence(new float[10], 4, ["x", "y"]));
        Assert.Throws<ArgumentException>(() => new TagSet(["A", "A"]));
    }
}
