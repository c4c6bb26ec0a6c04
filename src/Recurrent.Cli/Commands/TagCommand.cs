using System.CommandLine;
using System.Text.Json;
using Recurrent.Cli.Rendering;
using Recurrent.Data;
using Recurrent.Data.Classification;
using Recurrent.Data.Datasets;
using Recurrent.Data.Labelling;
using Recurrent.Embeddings;
using Recurrent.Metrics;
using Recurrent.Models;
using Recurrent.Training;
using Spectre.Console;

namespace Recurrent.Cli.Commands;

/// <summary>
/// <c>recurrent tag …</c>: sequence labelling (chunking, part-of-speech tagging, OCR words): train, evaluate, predict.
/// </summary>
public static class TagCommand
{
    private const string Kind = "tagger";
    private const string ReportName = "report.json";

    public static Command Create()
    {
        var command = new Command("tag", "Sequence labelling (chunks, parts of speech, OCR letters): train a tagger, evaluate it, tag sentences.");
        command.Subcommands.Add(CreateTrain());
        command.Subcommands.Add(CreateEval());
        command.Subcommands.Add(CreatePredict());
        return command;
    }

    private static readonly Option<string?> Data = new("--data")
    {
        Description = "Tagged data: a CoNLL column file, a CoNLL-U file, Taskar's letter.data(.gz), or a folder with train/dev/test files " +
            "(train.txt/test.txt, *-ud-train.conllu[.gz]/-dev/-test). Default: the preset's dataset in the cache ('recurrent data get conll2000|ud-english-ewt|ocr').",
    };
    private static readonly Option<string?> Cache = new("--cache") { Description = "Dataset cache folder (default: $RECURRENT_CACHE or ~/.cache/recurrent)." };
    private static readonly Argument<string> ModelPath = new("model") { Description = "A checkpoint file (best.ckpt or last.ckpt of a run) or a run folder." };

    /// <summary>The data path: <c>--data</c>, else the one the run used, else the preset's dataset in the cache.</summary>
    private static string ResolveData(ParseResult result, string? previous, string? preset)
    {
        string? data = result.GetValue(Data) ?? previous;
        if (data is not null)
        {
            if (!File.Exists(data) && !Directory.Exists(data)) throw new RecurrentException($"--data: '{data}' is neither a file nor a folder.");
            return Path.GetFullPath(data);
        }
        if (preset is null) throw new RecurrentException("Give --data PATH, or --preset with the dataset in the cache.");
        return DatasetLocator.Resolve(SequenceTaggerPresets.DatasetOf(preset), null, result.GetValue(Cache));
    }

    private static Command CreateTrain()
    {
        var runOptions = new RunOptions(Kind);
        var modelOptions = new TaggerOptions();
        var embeddings = new Option<string?>("--embeddings") { Description = "Pretrained word vectors: word2vec text or binary, or GloVe text. Rows of words without a vector start random." };
        var train = new Command("train", "Train a sequence tagger; report token accuracy (and chunk precision, recall and F1, or letter and word error) on the test set.");
        train.Options.Add(Data);
        train.Options.Add(Cache);
        train.Options.Add(embeddings);
        runOptions.AddTo(train);
        modelOptions.AddTo(train);
        train.SetAction(parseResult =>
        {
            CommandTree.ApplyCommon(parseResult);
            (LoadedCheckpoint? loaded, string runDirectory, TrainingSession.RunInfo? previous, int? limit) = runOptions.Resolve(parseResult);
            if (loaded is not null) RunOptions.RejectOnResume(parseResult, [embeddings, .. modelOptions.FixedOnResume]);

            string? presetName = loaded is null ? modelOptions.PresetName(parseResult, parseResult.GetValue(Data)) : null;
            string dataPath = ResolveData(parseResult, previous?.Data, presetName);
            SequenceTaggerConfig config = loaded is null ? modelOptions.Resolve(parseResult, presetName!) : ((SequenceTagger)loaded.Model).Config;
            // Before the data is read, a lower bound (the smallest vocabularies, no feature columns, one sentence of one
            // token; the width of pretrained vectors is not known yet): sizes no data can make fit are refused at once.
            if (loaded is null)
                MemoryBudget.Require(MemoryEstimate.For(config with
                {
                    VocabSize = 2, CharVocabSize = 2, FeatureVocabSizes = [], Tags = 1,
                    WordEmbeddingSize = parseResult.GetValue(embeddings) is null ? config.WordEmbeddingSize : 1,
                }, steps: 1, batch: 1));
            TaggingSplits splits = TaggingSplits.Load(dataPath, config.ReadOptions(), config.SplitOptions());
            string digest = TrainingSession.Sha256Of(splits.Paths);
            if (loaded is not null) TrainingSession.RequireSameData(previous, digest, runDirectory);

            SequenceTagger model;
            TaggingVocabularies vocabularies;
            TaggedSequences trainData, devData;
            if (loaded is null)
            {
                string? vectorsPath = parseResult.GetValue(embeddings);
                WordVectors? vectors = vectorsPath is null ? null : WordVectorsFile.Read(vectorsPath);
                IEnumerable<string>? extra = null;
                if (vectors is not null)
                {
                    config = config with { WordEmbeddingSize = vectors.Dimension };
                    // Words of the other splits that have a vector keep it (no tags are read from them).
                    extra = TaggingVocabularies.WordsOf(splits.Dev.Concat(splits.Test), config.TaggingOptions(), w => vectors.IndexOf(w) >= 0).ToList();
                }
                (config, vocabularies) = SequenceTaggerTask.ConfigFor(config, splits.Train, splits.Dev, extra);
                trainData = vocabularies.Encode(splits.Train);
                devData = vocabularies.Encode(splits.Dev);
                // The vocabularies and the longest sentence are known now: the whole training memory is checked before the
                // model and its batches are allocated.
                MemoryBudget.Require(SequenceTaggerTask.EstimateMemory(config, trainData, devData));
                model = new SequenceTagger(config);
                if (vectors is not null) LoadVectors(model, vocabularies, vectors, vectorsPath!);
            }
            else
            {
                model = (SequenceTagger)loaded.Model;
                vocabularies = SequenceTaggerTask.VocabulariesOf(loaded);
                trainData = vocabularies.Encode(splits.Train);
                devData = vocabularies.Encode(splits.Dev);
            }

            var task = new SequenceTaggerTask(model, vocabularies, trainData, devData);
            var monitor = new ConsoleTrainingMonitor(task.Presentation);
            var trainer = new Trainer(task, new TrainerOptions
            {
                RunDirectory = runDirectory,
                MaxBatchesPerEpoch = limit,
                CheckpointInterval = runOptions.CheckpointInterval(parseResult),
                Epochs = loaded is null ? null : parseResult.GetValue(modelOptions.Epochs),
                Force = parseResult.GetValue(runOptions.Force),
            }, monitor, loaded);
            TrainingSession.SaveRunInfo(runDirectory, new TrainingSession.RunInfo(dataPath, limit, digest));

            SequenceTaggerConfig c = model.Config;
            PaddingStatistics padding = task.TrainPadding(trainer.Position.Epoch);
            AnsiConsole.MarkupLine($"[bold]Tagger[/]: {Markup.Escape(DescribeInput(c))} → {c.NumLayers} × {c.HiddenSize} {(c.Bidirectional ? "bidirectional " : "")}{c.Cell.ToString().ToUpperInvariant()} → " +
                $"{(c.Output == TaggerOutput.Crf ? "CRF" : "softmax")} over {c.Tags} tags{(c.TagEncoding == TagEncoding.None ? "" : $" ({c.TagEncoding.ToString().ToUpperInvariant()}{(model.Constraints is null ? "" : ", constrained")})")}, " +
                $"{model.CountParameters():N0} parameters; {trainer.Position.Epochs} epochs, batch {c.BatchSize}, {c.Optimizer} lr {c.LearningRate}, " +
                $"selection on {task.Settings.SelectionMetric}, {Kernels.ComputeThreads.Count} threads");
            AnsiConsole.MarkupLine($"Data: {Markup.Escape(dataPath)}: {trainData.Count:N0} training sentences ({trainData.TotalTokens:N0} tokens) / {devData.Count:N0} validation " +
                $"({Markup.Escape(splits.DevSource)}) / {splits.Test.Count:N0} test ({Markup.Escape(splits.TestSource)}); " +
                $"{(c.WordEmbeddingSize > 0 ? $"{vocabularies.Words.Count:N0} words, " : "")}{(c.CharEmbeddingSize > 0 ? $"{vocabularies.Characters.Count:N0} characters, " : "")}" +
                $"padding {padding.Fraction:P1} of processed steps. Run folder: {Markup.Escape(runDirectory)}");

            var started = DateTime.UtcNow;
            if (TrainingSession.Run(trainer, monitor) == TrainingOutcome.Stopped) return TrainingSession.StoppedExitCode;
            if (!Recurrent.Training.Distributed.Cluster.World.IsRoot) return 0; // the root reports and tests
            monitor.PrintSummary(trainer.Position.History);

            // The test set is used once, at the end, with the model chosen on validation.
            string bestPath = trainer.PathOf(Trainer.BestCheckpointName);
            LoadedCheckpoint best = ModelCheckpoint.Load(File.Exists(bestPath) ? bestPath : trainer.PathOf(Trainer.LastCheckpointName));
            var bestModel = (SequenceTagger)best.Model;
            TaggingVocabularies bestVocabularies = SequenceTaggerTask.VocabulariesOf(best);
            TaggedSequences testData = bestVocabularies.Encode(splits.Test);
            (double loss, TaggingReport report, _) = SequenceTaggerTask.Evaluate(bestModel, bestVocabularies, testData, limit);
            AnsiConsole.MarkupLine($"[bold]Test[/] ({Markup.Escape(splits.TestSource)}, best on validation: epoch {trainer.Position.BestEpoch}): loss {loss:F4}" +
                (testData.UnknownWords > 0 ? $", {testData.UnknownWords:N0} of {testData.TotalTokens:N0} words unknown" : ""));
            PrintReport(report, c);
            AtomicFile.WriteAllText(trainer.PathOf(ReportName), report.ToJson());
            Console.WriteLine($"Total time {(DateTime.UtcNow - started).TotalMinutes:F1} min. Checkpoints, metrics.jsonl, curve.png/svg and {ReportName} are in {runDirectory}");
            return 0;
        });
        return train;
    }

    private static string DescribeInput(SequenceTaggerConfig c)
    {
        var parts = new List<string>();
        if (c.WordEmbeddingSize > 0) parts.Add($"words {c.WordEmbeddingSize}{(c.FreezeEmbeddings ? " (frozen)" : "")}");
        if (c.CharEmbeddingSize > 0) parts.Add($"character BiLSTM 2 × {c.CharHiddenSize}");
        if (c.UsesFeatures) parts.Add($"{c.FeatureVocabSizes.Length} feature column{(c.FeatureVocabSizes.Length == 1 ? "" : "s")} × {c.FeatureEmbeddingSize}");
        if (c.FrameSize > 0) parts.Add($"frames of {c.FrameSize}");
        return string.Join(" + ", parts);
    }

    /// <summary>Copies pretrained vectors into the rows of the words they cover and reports the coverage.</summary>
    private static void LoadVectors(SequenceTagger model, TaggingVocabularies vocabularies, WordVectors vectors, string path)
    {
        Layers.Parameter weight = model.WordEmbeddingWeight ?? throw new RecurrentException("--embeddings needs a word embedding; the config reads no words.");
        int d = vectors.Dimension, covered = 0, candidates = 0;
        Span<float> table = weight.Value.Span;
        for (int id = 0; id < vocabularies.Words.Count; id++)
        {
            if (id == ClassificationVocabulary.PaddingId || id == ClassificationVocabulary.UnknownId) continue;
            candidates++;
            int row = vectors.IndexOf(vocabularies.Words.WordOf(id));
            if (row < 0) continue;
            vectors[row].CopyTo(table.Slice(id * d, d));
            covered++;
        }
        AnsiConsole.MarkupLine($"Pretrained vectors {Markup.Escape(path)}: {covered:N0} of {candidates:N0} vocabulary words ({(double)covered / Math.Max(candidates, 1):P1}) have a vector; the rest start random.");
    }

    private static Command CreateEval()
    {
        var all = new Option<bool>("--all") { Description = "Score every sentence of the data, not just its test set." };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var eval = new Command("eval", "Token accuracy (and chunk precision, recall and F1 as conlleval computes them, or letter and word error) of a trained tagger on the test set of its data, split as in training.");
        eval.Arguments.Add(ModelPath);
        eval.Options.Add(Data);
        eval.Options.Add(Cache);
        eval.Options.Add(all);
        eval.Options.Add(json);
        eval.SetAction(parseResult =>
        {
            CommandTree.ApplyCommon(parseResult);
            (SequenceTagger model, TaggingVocabularies vocabularies, LoadedCheckpoint loaded) = LoadTagger(parseResult.GetValue(ModelPath)!);
            string dataPath = ResolveData(parseResult, TrainingSession.LoadRunInfo(TrainingSession.RunDirectoryOf(loaded))?.Data, null);
            TaggingSplits splits = TaggingSplits.Load(dataPath, model.Config.ReadOptions(), model.Config.SplitOptions());
            IReadOnlyList<LabelledSentence> sentences = parseResult.GetValue(all) ? [.. splits.Train, .. splits.Dev, .. splits.Test] : splits.Test;
            TaggedSequences data = vocabularies.Encode(sentences);
            (double loss, TaggingReport report, _) = SequenceTaggerTask.Evaluate(model, vocabularies, data);
            if (parseResult.GetValue(json)) parseResult.InvocationConfiguration.Output.WriteLine(report.ToJson());
            else
            {
                AnsiConsole.MarkupLine($"{(parseResult.GetValue(all) ? "All sentences" : Markup.Escape(splits.TestSource))}: {data.Count:N0} sentences, {data.TotalTokens:N0} tokens; loss {loss:F4}");
                PrintReport(report, model.Config);
            }
            return 0;
        });
        return eval;
    }

    private static Command CreatePredict()
    {
        var input = new Option<string?>("--input") { Description = "text: one sentence per line, tokens separated by white space; conll: one token per line (word, then the model's feature columns; a last tag column is ignored), blank lines between sentences; ocr: letter.data lines. Default: conll when the model reads feature columns, ocr for frame models, else text." };
        input.AcceptOnlyFromAmong("text", "conll", "ocr");
        var json = new Option<bool>("--json") { Description = "One JSON object per sentence: its tokens and their tags." };
        var file = new Option<string?>("--file") { Description = "Read the sentences from this file instead of standard input." };
        var predict = new Command("predict", "Tag sentences read from standard input (or --file); prints CoNLL columns (the input's, then the predicted tag) or JSON.");
        predict.Arguments.Add(ModelPath);
        predict.Options.Add(input);
        predict.Options.Add(file);
        predict.Options.Add(json);
        predict.SetAction(parseResult =>
        {
            CommandTree.ApplyCommon(parseResult);
            (SequenceTagger model, TaggingVocabularies vocabularies, _) = LoadTagger(parseResult.GetValue(ModelPath)!);
            SequenceTaggerConfig c = model.Config;
            string format = parseResult.GetValue(input) ?? (c.FrameSize > 0 ? "ocr" : c.UsesFeatures ? "conll" : "text");
            IReadOnlyList<LabelledSentence> sentences;
            if (parseResult.GetValue(file) is { } path)
            {
                if (!File.Exists(path)) throw new RecurrentException($"--file: '{path}' does not exist.");
                using var reader = new StreamReader(path);
                sentences = ReadInput(reader, format, c, path);
            }
            else sentences = ReadInput(Console.In, format, c, "standard input");
            string[][] tags = SequenceTaggerTask.Predict(model, vocabularies, sentences);
            bool asJson = parseResult.GetValue(json);
            TextWriter output = parseResult.InvocationConfiguration.Output;
            for (int s = 0; s < sentences.Count; s++)
            {
                LabelledSentence sentence = sentences[s];
                string[] tokens = sentence.FrameSize > 0 ? sentence.Tags.ToArray() : sentence.Tokens.ToArray();
                if (asJson)
                {
                    var entry = new Dictionary<string, object> { ["tokens"] = tokens, ["tags"] = tags[s] };
                    if (sentence.FrameSize > 0) entry["word"] = string.Concat(tags[s]);
                    output.WriteLine(JsonSerializer.Serialize(entry));
                    continue;
                }
                for (int i = 0; i < sentence.Length; i++)
                {
                    var columns = new List<string> { tokens[i] };
                    foreach (IReadOnlyList<string> feature in sentence.Features) columns.Add(feature[i]);
                    columns.Add(tags[s][i]);
                    output.WriteLine(string.Join(' ', columns));
                }
                output.WriteLine();
            }
            return 0;
        });
        return predict;
    }

    /// <summary>
    /// Reads sentences to tag. Their gold tags are placeholders (<c>_</c>), except for OCR letters, whose tags are
    /// the file's letters (printed as the first column).
    /// </summary>
    internal static IReadOnlyList<LabelledSentence> ReadInput(TextReader reader, string format, SequenceTaggerConfig config, string source)
    {
        var sentences = new List<LabelledSentence>();
        if (format == "ocr")
        {
            using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(reader.ReadToEnd()));
            foreach (OcrWord word in OcrLetterReader.Read(stream, source)) sentences.Add(word.ToSentence());
            return sentences;
        }
        int features = config.UsesFeatures ? config.FeatureVocabSizes.Length : 0;
        string? line;
        int lineNumber = 0;
        if (format == "text")
        {
            while ((line = reader.ReadLine()) is not null)
            {
                lineNumber++;
                string[] tokens = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (tokens.Length == 0) continue;
                if (features > 0)
                    throw new RecurrentException($"The model reads {features} feature column(s) besides each word; give CoNLL columns with --input conll.");
                sentences.Add(new LabelledSentence(tokens, Placeholders(tokens.Length), null, source, lineNumber));
            }
            return sentences;
        }
        var rows = new List<string[]>();
        int start = 0;
        void Flush()
        {
            if (rows.Count == 0) return;
            var tokens = rows.Select(r => r[0]).ToArray();
            var columns = new string[features][];
            for (int f = 0; f < features; f++) columns[f] = rows.Select(r => r[1 + f]).ToArray();
            sentences.Add(new LabelledSentence(tokens, Placeholders(tokens.Length), columns, source, start));
            rows.Clear();
        }
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            string[] fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0) { Flush(); continue; }
            // A whole sentence on one line would otherwise be read as a word, its features and ignored columns.
            if (fields.Length < 1 + features || fields.Length > 2 + features)
                throw new RecurrentException($"{source}, line {lineNumber}: {fields.Length} column(s); the model reads one token per line: a word and {features} feature column(s), then optionally a gold tag ({1 + features} or {2 + features} columns), with blank lines between sentences.");
            if (rows.Count == 0) start = lineNumber;
            rows.Add(fields);
        }
        Flush();
        return sentences;
    }

    private static string[] Placeholders(int n)
    {
        var tags = new string[n];
        Array.Fill(tags, "_");
        return tags;
    }

    /// <summary>A tagger checkpoint with its vocabularies (the CRF's constraints restored).</summary>
    public static (SequenceTagger Model, TaggingVocabularies Vocabularies, LoadedCheckpoint Loaded) LoadTagger(string path)
    {
        LoadedCheckpoint loaded = TrainingSession.LoadModel(path, Kind);
        var model = (SequenceTagger)loaded.Model;
        return (model, SequenceTaggerTask.VocabulariesOf(loaded), loaded);
    }

    /// <summary>Prints the report: accuracy and sentence (word) error, and for chunks conlleval's output as a table.</summary>
    internal static void PrintReport(TaggingReport report, SequenceTaggerConfig config)
    {
        if (config.FrameSize > 0)
            AnsiConsole.MarkupLine($"letter error [bold]{1 - report.Accuracy:P2}[/]  word error [bold]{report.SentenceError:P2}[/]  ({report.Tokens:N0} letters in {report.Sentences:N0} words)");
        else
            AnsiConsole.MarkupLine($"token accuracy [bold]{report.Accuracy:P2}[/]  sentence error {report.SentenceError:P2}  ({report.Tokens:N0} tokens in {report.Sentences:N0} sentences)");
        if (report.Chunks is not { } chunks) return;
        var table = new Table().Border(TableBorder.Rounded).AddColumn("chunk type")
            .AddColumn(new TableColumn("precision").RightAligned()).AddColumn(new TableColumn("recall").RightAligned())
            .AddColumn(new TableColumn("F1").RightAligned()).AddColumn(new TableColumn("gold").RightAligned()).AddColumn(new TableColumn("found").RightAligned());
        foreach (ChunkTypeScore t in chunks.PerType)
            table.AddRow(Markup.Escape(t.Type.Length == 0 ? "(none)" : t.Type), t.Precision.ToString("F2"), t.Recall.ToString("F2"), t.F1.ToString("F2"), t.GoldChunks.ToString("N0"), t.PredictedChunks.ToString("N0"));
        table.AddRow("[bold]overall[/]", $"[bold]{chunks.Precision:F2}[/]", $"[bold]{chunks.Recall:F2}[/]", $"[bold]{chunks.F1:F2}[/]", chunks.Overall.GoldChunks.ToString("N0"), chunks.Overall.PredictedChunks.ToString("N0"));
        AnsiConsole.Write(table);
        Console.Write(chunks.ToString());
    }
}
