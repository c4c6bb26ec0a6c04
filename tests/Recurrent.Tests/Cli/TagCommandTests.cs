using System.CommandLine;
using System.Text;
using System.Text.Json;
using Recurrent.Cli.Commands;
using Recurrent.Tensors;
using Recurrent.Tests.Support;
using Recurrent.Training;

namespace Recurrent.Tests.Cli;

/// <summary>The <c>tag</c> commands end to end on small generated CoNLL-2000-like files.</summary>
public class TagCommandTests
{
    private static int Run(params string[] args) => Run(TextWriter.Null, args);

    private static int Run(TextWriter output, params string[] args) =>
        CommandTree.Create().Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = output, Error = TextWriter.Null });

    private static readonly string[] Determiners = ["the", "a", "The", "A"], Adjectives = ["big", "red", "old"], Nouns = ["cat", "dog", "mat", "Paris", "car", "tree"];
    private static readonly string[] Verbs = ["sat", "ran", "saw"], Prepositions = ["on", "in", "near"];

    /// <summary>
    /// Sentences NP VP [PP NP] ., with NP = DT [JJ] NN: each word's POS and chunk tag follow from the grammar, so a
    /// tagger that reads the POS column and the words around it chunks nearly every sentence right.
    /// </summary>
    private static string MakeConll(int count, ulong seed)
    {
        var random = new RandomGenerator(seed);
        var s = new StringBuilder();
        void Np()
        {
            s.Append(Determiners[random.NextInt(4)]).Append(" DT B-NP\n");
            if (random.NextInt(2) == 0) s.Append(Adjectives[random.NextInt(3)]).Append(" JJ I-NP\n");
            s.Append(Nouns[random.NextInt(6)]).Append(" NN I-NP\n");
        }
        for (int i = 0; i < count; i++)
        {
            Np();
            s.Append(Verbs[random.NextInt(3)]).Append(" VBD B-VP\n");
            if (random.NextInt(2) == 0)
            {
                s.Append(Prepositions[random.NextInt(3)]).Append(" IN B-PP\n");
                Np();
            }
            s.Append(". . O\n\n");
        }
        return s.ToString();
    }

    internal static string MakeData(TempDirectory dir)
    {
        string folder = dir.File("conll");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "train.txt"), MakeConll(300, 1));
        File.WriteAllText(Path.Combine(folder, "test.txt"), MakeConll(60, 2));
        return folder;
    }

    private static readonly string[] Tiny =
    [
        "--preset", "chunk", "--hidden-size", "16", "--word-embedding-size", "8", "--char-embedding-size", "4", "--char-hidden-size", "4",
        "--feature-embedding-size", "4", "--batch-size", "16", "--patience", "0", "--keep-prob", "1", "--learning-rate", "0.01",
    ];

    [Fact]
    public void TrainReportsChunkF1OnTheTestFileAndTheModelTagsNewSentences()
    {
        using var dir = new TempDirectory();
        string data = MakeData(dir), run = dir.File("run");
        Assert.Equal(0, Run(["tag", "train", .. Tiny, "--epochs", "3", "--data", data, "--run", run]));
        foreach (string name in (string[])["config.json", "metrics.jsonl", "curve.png", "curve.svg", "best.ckpt", "last.ckpt", "report.json", "run.json"])
            Assert.True(File.Exists(Path.Combine(run, name)), $"{name} is missing from the run folder");
        using (JsonDocument report = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "report.json"))))
        {
            JsonElement root = report.RootElement;
            Assert.Equal(60, root.GetProperty("sentences").GetInt64());
            double f1 = root.GetProperty("chunks").GetProperty("f1").GetDouble();
            Assert.True(f1 >= 95, $"test chunk F1 {f1}");
            Assert.Contains("processed", root.GetProperty("chunks").GetProperty("conlleval").GetString());
        }
        List<EpochReport> epochs = MetricsLog.Read(Path.Combine(run, "metrics.jsonl"));
        Assert.Equal(3, epochs.Count);
        Assert.True(epochs[^1].Valid("f1") >= 0.9, $"valid F1 {epochs[^1].Valid("f1")}");

        var json = new StringWriter();
        Assert.Equal(0, Run(json, "tag", "eval", run, "--data", data, "--json"));
        using (JsonDocument report = JsonDocument.Parse(json.ToString()))
            Assert.Equal(File.ReadAllText(Path.Combine(run, "report.json")), json.ToString().TrimEnd()); // the same model on the same test file

        // New sentences, words unseen in training included, in CoNLL columns (word, POS); a gold column is ignored.
        string input = dir.File("input.txt");
        File.WriteAllText(input, "A DT\nlarge JJ\nzebra NN\nran VBD\n. .\n\nthe DT\ndog NN\nsaw VBD\na DT\ncat NN\n. . O\n");
        var conll = new StringWriter();
        Assert.Equal(0, Run(conll, "tag", "predict", run, "--file", input));
        string[] lines = conll.ToString().Split('\n', StringSplitOptions.TrimEntries);
        Assert.Equal(["A DT B-NP", "large JJ I-NP", "zebra NN I-NP", "ran VBD B-VP", ". . O", "", "the DT B-NP", "dog NN I-NP", "saw VBD B-VP", "a DT B-NP", "cat NN I-NP", ". . O", "", ""], lines);
        var asJson = new StringWriter();
        Assert.Equal(0, Run(asJson, "tag", "predict", run, "--file", input, "--json"));
        string[] objects = asJson.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, objects.Length);
        using (JsonDocument first = JsonDocument.Parse(objects[1]))
            Assert.Equal(["B-NP", "I-NP", "B-VP", "B-NP", "I-NP", "O"], first.RootElement.GetProperty("tags").EnumerateArray().Select(e => e.GetString()));
        // Deterministic: the same input gives the same output.
        var again = new StringWriter();
        Run(again, "tag", "predict", run, "--file", input);
        Assert.Equal(conll.ToString(), again.ToString());

        var e = Assert.Throws<RecurrentException>(() => Run("tag", "predict", run, "--file", input, "--input", "text"));
        Assert.Contains("--input conll", e.Message);
        // A sentence on one line given to a model that reads a POS column: refused, not read as "A" tagged "DT".
        string oneLine = dir.File("one-line.txt");
        File.WriteAllText(oneLine, "A large zebra ran .\n");
        e = Assert.Throws<RecurrentException>(() => Run("tag", "predict", run, "--file", oneLine));
        Assert.Contains("line 1: 5 column(s)", e.Message);
        Assert.Contains("one token per line", e.Message);
        Assert.Equal(0, Run("info", Path.Combine(run, "best.ckpt")));
    }

    /// <summary>
    /// letter.data lines (tab-separated, trailing tab, 10 folds) of words over the letters a–e; each letter's frame is
    /// its own fixed random 16×8 pattern with 5 % of the pixels flipped.
    /// </summary>
    private static string MakeLetters(int words, ulong seed)
    {
        var random = new RandomGenerator(seed);
        var patterns = new int[5, 128];
        for (int l = 0; l < 5; l++)
            for (int p = 0; p < 128; p++) patterns[l, p] = random.NextInt(2);
        var s = new StringBuilder();
        int id = 1;
        for (int w = 1; w <= words; w++)
        {
            int length = 2 + random.NextInt(6);
            for (int i = 0; i < length; i++, id++)
            {
                int letter = random.NextInt(5);
                s.Append($"{id}\t{(char)('a' + letter)}\t{(i + 1 == length ? -1 : id + 1)}\t{w}\t{i + 1}\t{w % 10}");
                for (int p = 0; p < 128; p++) s.Append('\t').Append(random.NextInt(20) == 0 ? 1 - patterns[letter, p] : patterns[letter, p]);
                s.Append("\t\n");
            }
        }
        return s.ToString();
    }

    [Fact]
    public void OcrWordsTrainOnAFoldAndPredictLetterFiles()
    {
        using var dir = new TempDirectory();
        string data = dir.File("letter.data"), run = dir.File("run");
        File.WriteAllText(data, MakeLetters(400, 3));
        Assert.Equal(0, Run("tag", "train", "--preset", "tfmi-ocr", "--hidden-size", "16", "--epochs", "3", "--fold", "3", "--data", data, "--run", run));
        using (JsonDocument report = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "report.json"))))
        {
            Assert.Equal(40, report.RootElement.GetProperty("sentences").GetInt64()); // the words of fold 3
            double accuracy = report.RootElement.GetProperty("accuracy").GetDouble();
            Assert.True(accuracy >= 0.97, $"test letter accuracy {accuracy}");
        }
        Assert.True(MetricsLog.Read(Path.Combine(run, "metrics.jsonl"))[^1].Valid("letter_error") <= 0.05);
        string input = dir.File("two.data");
        File.WriteAllLines(input, File.ReadLines(data).Where(line => int.Parse(line.Split('\t')[3]) <= 2).ToArray()); // words 1 and 2
        var output = new StringWriter();
        Assert.Equal(0, Run(output, "tag", "predict", run, "--file", input, "--json"));
        string[] words = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, words.Length);
        foreach (string word in words)
        {
            using JsonDocument doc = JsonDocument.Parse(word);
            // The first column of OCR output is the file's own letter: the model should agree with it.
            Assert.Equal(string.Concat(doc.RootElement.GetProperty("tokens").EnumerateArray().Select(e => e.GetString())), doc.RootElement.GetProperty("word").GetString());
        }
    }

    [Fact]
    public void ResumeAppliesEpochsAndRefusesModelOptions()
    {
        using var dir = new TempDirectory();
        string data = MakeData(dir), run = dir.File("run");
        Assert.Equal(0, Run(["tag", "train", .. Tiny, "--epochs", "1", "--max-batches", "5", "--data", data, "--run", run]));
        Assert.Single(MetricsLog.Read(Path.Combine(run, "metrics.jsonl")));
        // The data path and the batch limit come from the run folder.
        Assert.Equal(0, Run("tag", "train", "--resume", run, "--epochs", "2"));
        Assert.Equal(2, MetricsLog.Read(Path.Combine(run, "metrics.jsonl")).Count);
        var e = Assert.Throws<RecurrentException>(() => Run("tag", "train", "--resume", run, "--epochs", "3", "--hidden-size", "20"));
        Assert.Contains("--hidden-size", e.Message);
        e = Assert.Throws<RecurrentException>(() => Run(["tag", "train", .. Tiny, "--epochs", "1", "--data", data, "--run", run]));
        Assert.Contains("--force", e.Message);
    }

    [Fact]
    public void BadDataAndMismatchedPresetsGetClearMessages()
    {
        using var dir = new TempDirectory();
        string bad = dir.File("train.txt");
        File.WriteAllText(bad, "the DT B-NP\ncat NN\n");
        var e = Assert.Throws<RecurrentException>(() => Run(["tag", "train", .. Tiny, "--data", bad, "--run", dir.File("r1")]));
        Assert.Contains(bad, e.Message);
        Assert.Contains("line 2", e.Message);
        string data = MakeData(dir);
        e = Assert.Throws<RecurrentException>(() => Run("tag", "train", "--preset", "tfmi-ocr", "--data", data, "--run", dir.File("r2")));
        Assert.Contains("OCR", e.Message);
        e = Assert.Throws<RecurrentException>(() => Run("tag", "train", "--preset", "pos", "--tag-encoding", "iobes", "--data", dir.File("x"), "--run", dir.File("r3")));
        Assert.Contains("x", e.Message);
        // The chunk preset's neighbour-word objective needs one bidirectional layer: the message says how to turn it off.
        e = Assert.Throws<RecurrentException>(() => Run(["tag", "train", .. Tiny, "--num-layers", "2", "--data", data, "--run", dir.File("r4")]));
        Assert.Contains("lm_weight", e.Message);
        Assert.Contains("--lm-weight 0", e.Message);
    }
}
