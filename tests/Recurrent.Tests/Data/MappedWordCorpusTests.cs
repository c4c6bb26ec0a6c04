using System.Text;
using Recurrent.Data;
using Recurrent.Models;
using Recurrent.Tests.Support;
using Recurrent.Training;
using Recurrent.Training.Distributed;

namespace Recurrent.Tests.Data;

/// <summary>
/// A corpus streamed into token-id files and memory-mapped (<see cref="MappedWordCorpus"/>, <see cref="TokenIdFile"/>)
/// holds exactly the ids and vocabulary <see cref="WordCorpus"/> reads into arrays, reuses its files only while they
/// match the text and vocabulary, and trains a model bit for bit as the arrays do.
/// </summary>
public sealed class MappedWordCorpusTests
{
    private static string Corpus(TempDirectory dir, bool unknownInValid = true)
    {
        var random = new Random(3);
        string Text(int lines)
        {
            var text = new StringBuilder();
            for (int l = 0; l < lines; l++)
            {
                text.Append(' ');
                int n = random.Next(1, 12);
                for (int i = 0; i < n; i++) text.Append('w').Append(Math.Min(random.Next(40), random.Next(40))).Append(' ');
                text.Append('\n');
            }
            return text.ToString();
        }
        string data = dir.File("data");
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(data, "ptb.train.txt"), Text(400) + " <unk> \n");
        File.WriteAllText(Path.Combine(data, "ptb.valid.txt"), Text(40) + (unknownInValid ? " never-seen w1 \n" : ""));
        File.WriteAllText(Path.Combine(data, "ptb.test.txt"), Text(40));
        return data;
    }

    [Fact]
    public void HoldsTheIdsAndVocabularyTheArraysHold()
    {
        using var dir = new TempDirectory();
        string data = Corpus(dir);
        var arrays = WordCorpus.Load(data);
        using var mapped = MappedWordCorpus.Open(data, vocabulary: null, dir.File("ids"));
        Assert.Equal(arrays.Vocabulary.Words, mapped.Vocabulary.Words);
        Assert.Equal(arrays.Train, mapped.Train.ToArray());
        Assert.Equal(arrays.Valid, mapped.Valid.ToArray()); // never-seen became <unk>
        Assert.Equal(arrays.Test, mapped.Test.ToArray());
        Assert.Equal(TokenIdFile.HeaderSize + 4L * arrays.Train.Length, new FileInfo(dir.File("ids/train.ids")).Length);
    }

    [Fact]
    public void FilesAreReusedWhileTheyMatchAndRewrittenWhenTheTextOrVocabularyChanges()
    {
        using var dir = new TempDirectory();
        string data = Corpus(dir);
        string ids = dir.File("ids"), trainIds = Path.Combine(ids, "train.ids");
        MappedWordCorpus.Open(data, null, ids).Dispose();
        DateTime written = File.GetLastWriteTimeUtc(trainIds);
        File.SetLastWriteTimeUtc(trainIds, written.AddMinutes(-5)); // a rewrite would show as a newer time
        string counted = Path.Combine(ids, "vocabulary.json");
        File.SetLastWriteTimeUtc(counted, written.AddMinutes(-5));
        MappedWordCorpus.Open(data, null, ids).Dispose();
        Assert.Equal(written.AddMinutes(-5), File.GetLastWriteTimeUtc(trainIds));
        Assert.Equal(written.AddMinutes(-5), File.GetLastWriteTimeUtc(counted)); // the text was not counted again

        // Another vocabulary (the same words in another order): the ids change, so the file is rewritten.
        Vocabulary original = WordCorpus.Load(data).Vocabulary;
        var reversed = new Vocabulary(original.Words.Reverse());
        using (MappedWordCorpus other = MappedWordCorpus.Open(data, reversed, ids))
            Assert.Equal(WordFile.ReadIds(Path.Combine(data, "ptb.train.txt"), reversed), other.Train.ToArray());

        // The text changed: the files follow it, the counted vocabulary too.
        File.AppendAllText(Path.Combine(data, "ptb.train.txt"), " w1 w2 w3 new-word new-word \n");
        using MappedWordCorpus changed = MappedWordCorpus.Open(data, null, ids);
        Vocabulary recounted = WordCorpus.Load(data).Vocabulary;
        Assert.Equal(recounted.Words, changed.Vocabulary.Words);
        Assert.Contains("new-word", changed.Vocabulary.Words);
        Assert.Equal(WordFile.ReadIds(Path.Combine(data, "ptb.train.txt"), recounted), changed.Train.ToArray());
    }

    [Fact]
    public void AWordTheVocabularyCannotMapNamesTheFileAndLineAndLeavesNoFile()
    {
        using var dir = new TempDirectory();
        string data = Corpus(dir);
        var noUnk = new Vocabulary(WordCorpus.Load(data).Vocabulary.Words.Where(w => w != Vocabulary.Unknown));
        var e = Assert.Throws<RecurrentException>(() => MappedWordCorpus.Open(data, noUnk, dir.File("ids")));
        Assert.Contains("ptb.train.txt, line 401: the word '<unk>' is not in the vocabulary", e.Message);
        Assert.Empty(Directory.GetFiles(dir.File("ids"))); // no id file, not even a temporary one
    }

    [Fact]
    public void ALanguageModelTrainsOnMappedIdsAsOnArrays()
    {
        using var dir = new TempDirectory();
        string data = Corpus(dir, unknownInValid: false);
        var arrays = WordCorpus.Load(data);
        using var mapped = MappedWordCorpus.Open(data, null, dir.File("ids"));
        LanguageModelConfig config = Recurrent.Tests.Training.TrainerTestSupport.TinyConfig() with { VocabSize = arrays.Vocabulary.Count, KeepProb = 0.8f };
        float[][] Train(ReadOnlyMemory<int> train, ReadOnlyMemory<int> valid, string run)
        {
            var task = new LanguageModelTask("word", new LanguageModel(config), arrays.Vocabulary.ToJson(), train, valid);
            new Trainer(task, new TrainerOptions { RunDirectory = dir.File(run), MaxBatchesPerEpoch = 15, Communicator = SingleProcess.Instance }, SilentMonitor.Instance).Run(CancellationToken.None);
            return Recurrent.Tests.Training.TrainerTestSupport.Snapshot(task.Language);
        }
        float[][] fromArrays = Train(arrays.Train, arrays.Valid, "arrays");
        float[][] fromMapped = Train(mapped.Train, mapped.Valid, "mapped");
        Recurrent.Tests.Training.TrainerTestSupport.AssertBitIdentical(fromArrays, fromMapped, new LanguageModel(config).Parameters);
    }
}
