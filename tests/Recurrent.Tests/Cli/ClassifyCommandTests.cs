using System.CommandLine;
using System.Text.Json;
using Recurrent.Cli.Commands;
using Recurrent.Models;
using Recurrent.Tensors;
using Recurrent.Tests.Support;
using Recurrent.Training;

namespace Recurrent.Tests.Cli;

/// <summary>The <c>classify</c> commands end to end on small generated JSON Lines data.</summary>
public class ClassifyCommandTests
{
    private static int Run(params string[] args) =>
        CommandTree.Create().Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = TextWriter.Null, Error = TextWriter.Null });

    private static readonly string[] Positive = ["great", "superb", "loved"], Negative = ["awful", "boring", "hated"];

    /// <summary>Reviews of 5–15 filler words with one sentiment word somewhere; the label is the word's side.</summary>
    internal static string MakeData(TempDirectory dir, string name, int count, ulong seed)
    {
        var random = new RandomGenerator(seed);
        string path = Path.Combine(dir.Path, name);
        using var writer = new StreamWriter(path);
        for (int i = 0; i < count; i++)
        {
            bool positive = random.NextInt(2) == 0;
            int length = 5 + random.NextInt(11), at = random.NextInt(length);
            var words = new List<string>();
            for (int w = 0; w < length; w++)
                words.Add(w == at ? (positive ? Positive : Negative)[random.NextInt(3)] : $"w{random.NextInt(40)}");
            writer.WriteLine(JsonSerializer.Serialize(new { text = string.Join(' ', words) + " <br />", label = positive ? "pos" : "neg" }));
        }
        return path;
    }

    private static readonly string[] Tiny =
        ["--preset", "default", "--hidden-size", "12", "--embedding-size", "8", "--batch-size", "16", "--patience", "0", "--keep-prob", "1"];

    [Fact]
    public void TrainReportsOnTheTestSplitAndTheModelPredicts()
    {
        using var dir = new TempDirectory();
        string train = MakeData(dir, "train.jsonl", 600, 1), test = MakeData(dir, "test.jsonl", 200, 2);
        string run = Path.Combine(dir.Path, "run");
        // Selected on validation loss: validation accuracy reaches 100 % at epoch 3 while its loss is still 0.47, so the
        // checkpoint kept on accuracy (a tie does not replace it) would be that unsure one, not epoch 4's (loss 0.09).
        Assert.Equal(0, Run(["classify", "train", .. Tiny, "--epochs", "4", "--selection-metric", "loss", "--data", train, "--test", test, "--run", run]));
        foreach (string name in (string[])["config.json", "metrics.jsonl", "curve.png", "curve.svg", "best.ckpt", "last.ckpt", "report.json", "run.json"])
            Assert.True(File.Exists(Path.Combine(run, name)), $"{name} is missing from the run folder");
        using (JsonDocument report = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "report.json"))))
        {
            // One word decides the label: a model that reads the text gets nearly all of the 200 test reviews.
            Assert.Equal(200, report.RootElement.GetProperty("examples").GetInt64());
            double accuracy = report.RootElement.GetProperty("accuracy").GetDouble();
            Assert.True(accuracy >= 0.95, $"test accuracy {accuracy}");
        }
        List<EpochReport> epochs = MetricsLog.Read(Path.Combine(run, "metrics.jsonl"));
        Assert.Equal(4, epochs.Count);
        // A classifier's loss is in nats; perplexity and bits per token would mean nothing, so they are not logged.
        string firstLine = File.ReadLines(Path.Combine(run, "metrics.jsonl")).First();
        Assert.Contains("\"valid_accuracy\"", firstLine);
        Assert.DoesNotContain("perplexity", firstLine);
        Assert.DoesNotContain("bits_per_token", firstLine);
        Assert.True(epochs[^1].Valid("accuracy") >= 0.9, $"valid accuracy {epochs[^1].Valid("accuracy")}");

        (SequenceClassifier model, Recurrent.Data.Vocabulary vocabulary, string[] labels, _) = ClassifyCommand.LoadClassifier(run);
        Assert.Equal(["neg", "pos"], labels);
        var classifier = new TextClassifier(model, vocabulary, labels);
        var p1 = new float[2];
        var p2 = new float[2];
        Assert.Equal(1, classifier.Predict("w3 w7 superb w1 w9", p1));
        Assert.Equal(0, classifier.Predict("w3 w7 hated w1 w9", p2));
        Assert.True(p1[1] > 0.6 && p2[0] > 0.6, $"pos {p1[1]}, neg {p2[0]}");
        // Deterministic: the same text gives the same probabilities, from the same or from an inference copy.
        var again = new float[2];
        new TextClassifier(model.CreateInference(), vocabulary, labels).Predict("w3 w7 superb w1 w9", again);
        Assert.Equal(p1, again);

        Assert.Equal(0, Run("classify", "eval", run, "--data", train, "--test", test));
        Assert.Equal(0, Run("classify", "predict", run, "w3 superb", "--json"));
        Assert.Equal(0, Run("info", Path.Combine(run, "best.ckpt")));
    }

    [Fact]
    public void ResumeAppliesEpochsAndRefusesModelOptions()
    {
        using var dir = new TempDirectory();
        string train = MakeData(dir, "train.jsonl", 200, 3);
        string run = Path.Combine(dir.Path, "run");
        Assert.Equal(0, Run(["classify", "train", .. Tiny, "--epochs", "1", "--data", train, "--run", run]));
        Assert.Single(MetricsLog.Read(Path.Combine(run, "metrics.jsonl")));
        // --epochs on resume extends the run (it used to train nothing); the data path comes from the run folder.
        Assert.Equal(0, Run("classify", "train", "--resume", run, "--epochs", "2"));
        Assert.Equal(2, MetricsLog.Read(Path.Combine(run, "metrics.jsonl")).Count);
        var e = Assert.Throws<RecurrentException>(() => Run("classify", "train", "--resume", run, "--epochs", "3", "--hidden-size", "20"));
        Assert.Contains("--hidden-size", e.Message);
        Assert.Contains("resum", e.Message);
    }

    [Fact]
    public void AFreshRunRefusesAFolderHoldingAnEarlierRunUnlessForced()
    {
        using var dir = new TempDirectory();
        string train = MakeData(dir, "train.jsonl", 200, 4);
        string run = Path.Combine(dir.Path, "run");
        Assert.Equal(0, Run(["classify", "train", .. Tiny, "--epochs", "1", "--data", train, "--run", run]));
        byte[] before = File.ReadAllBytes(Path.Combine(run, "best.ckpt"));
        var e = Assert.Throws<RecurrentException>(() => Run(["classify", "train", .. Tiny, "--epochs", "1", "--seed", "9", "--data", train, "--run", run]));
        Assert.Contains("--force", e.Message);
        Assert.Contains("--resume", e.Message);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(run, "best.ckpt"))); // nothing of the earlier run was touched
        Assert.Equal(0, Run(["classify", "train", .. Tiny, "--epochs", "1", "--seed", "9", "--data", train, "--run", run, "--force"]));
        Assert.NotEqual(before, File.ReadAllBytes(Path.Combine(run, "best.ckpt")));
    }

    [Fact]
    public void PretrainedVectorsFillTheirRowsAndStayFixedWhenFrozen()
    {
        using var dir = new TempDirectory();
        string train = MakeData(dir, "train.jsonl", 200, 6);
        // Vectors for the six sentiment words and a word the data never uses, in word2vec's binary format.
        string[] words = [.. Positive, .. Negative, "absent"];
        var values = new float[words.Length * 6];
        var random = new RandomGenerator(8);
        for (int i = 0; i < values.Length; i++) values[i] = (float)random.NextDouble() - 0.5f;
        string vectorsPath = Path.Combine(dir.Path, "vectors.bin");
        Recurrent.Data.WordVectorsFile.Write(vectorsPath, new Recurrent.Embeddings.WordVectors(words, values, 6), binary: true);

        string run = Path.Combine(dir.Path, "run");
        Assert.Equal(0, Run(["classify", "train", .. Tiny, "--epochs", "1", "--data", train, "--run", run, "--embeddings", vectorsPath, "--freeze-embeddings", "true"]));
        (SequenceClassifier model, Recurrent.Data.Vocabulary vocabulary, _, _) = ClassifyCommand.LoadClassifier(Path.Combine(run, "last.ckpt"));
        Assert.Equal(6, model.Config.EmbeddingSize);
        Assert.True(model.Config.FreezeEmbeddings);
        ReadOnlySpan<float> table = model.EmbeddingWeight!.Value.Span;
        for (int w = 0; w < 6; w++)
        {
            Assert.True(vocabulary.TryGetId(words[w], out int id), $"{words[w]} is not in the vocabulary");
            // Frozen: after an epoch of training the row is still exactly the file's vector.
            Assert.Equal(values.AsSpan(w * 6, 6).ToArray(), table.Slice(id * 6, 6).ToArray());
        }
        Assert.False(vocabulary.TryGetId("absent", out _));
        Assert.True(vocabulary.TryGetId("w1", out int filler));
        Assert.Contains(table.Slice(filler * 6, 6).ToArray(), v => v != 0); // a word without a vector starts random
    }

    [Fact]
    public void BadDataGetsAClearMessage()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "bad.jsonl");
        File.WriteAllLines(path, ["{\"text\": \"fine\", \"label\": \"a\"}", "{\"txt\": \"no text field\", \"label\": \"b\"}"]);
        var e = Assert.Throws<RecurrentException>(() => Run(["classify", "train", .. Tiny, "--data", path, "--run", Path.Combine(dir.Path, "r")]));
        Assert.Contains(path, e.Message);
        Assert.Contains("2", e.Message);
        Assert.Contains("tfmi", Assert.Throws<RecurrentException>(() => Run("classify", "train", "--preset", "tfmi", "--data", MakeData(dir, "t.jsonl", 50, 5), "--run", Path.Combine(dir.Path, "r2"))).Message.ToLowerInvariant());
    }
}
