using System.CommandLine;
using System.Text.Json;
using Recurrent.Cli.Rendering;
using Recurrent.Data;
using Recurrent.Data.Classification;
using Recurrent.Embeddings;
using Recurrent.Metrics;
using Recurrent.Models;
using Recurrent.Text;
using Recurrent.Training;
using Spectre.Console;

namespace Recurrent.Cli.Commands;

/// <summary>
/// <c>recurrent classify …</c>: many-to-one sequence classification (IMDb sentiment, or any labelled texts in CSV,
/// TSV, JSON Lines or a folder per class): train, evaluate, predict.
/// </summary>
public static class ClassifyCommand
{
    private const string Kind = "classifier";
    private const string ReportName = "report.json";

    public static Command Create()
    {
        var command = new Command("classify", "Sequence classification: train on labelled texts, evaluate, predict.");
        command.Subcommands.Add(CreateTrain());
        command.Subcommands.Add(CreateEval());
        command.Subcommands.Add(CreatePredict());
        return command;
    }

    private static readonly Option<string?> Data = new("--data")
    {
        Description = "Labelled texts: IMDb's aclImdb_v1.tar.gz (or its folder), a .csv/.tsv with a header, a .jsonl, or a folder per class. Default: the cache filled by 'recurrent data get imdb'.",
    };
    private static readonly Option<string?> Test = new("--test") { Description = "A separate test file or folder, when --data holds training examples only." };
    private static readonly Option<string> TextColumn = new("--text-column") { Description = "CSV/TSV column or JSON field holding the text.", DefaultValueFactory = _ => "text" };
    private static readonly Option<string> LabelColumn = new("--label-column") { Description = "CSV/TSV column or JSON field holding the label.", DefaultValueFactory = _ => "label" };
    private static readonly Option<string> Format = new("--format") { Description = "auto, imdb, csv, tsv, jsonl or folders (default: told from the path).", DefaultValueFactory = _ => "auto" };
    private static readonly Option<string?> Cache = new("--cache") { Description = "Dataset cache folder (default: $RECURRENT_CACHE or ~/.cache/recurrent)." };
    private static readonly Argument<string> ModelPath = new("model") { Description = "A checkpoint file (best.ckpt or last.ckpt of a run) or a run folder." };

    /// <summary>The data a run reads: train, validation and test examples encoded with one vocabulary.</summary>
    private sealed record Prepared(ClassificationData Data, EncodedExamples Train, EncodedExamples Valid, EncodedExamples Test, Vocabulary Vocabulary, string TestSource, int[] PoolIndices);

    private static string ResolveData(ParseResult result, string? previous)
    {
        string? data = result.GetValue(Data) ?? previous;
        if (data is not null) return Path.GetFullPath(data);
        return Recurrent.Data.Datasets.DatasetLocator.ResolvePath(Recurrent.Data.Datasets.KnownDatasets.Imdb, null, result.GetValue(Cache));
    }

    private static ClassificationData Read(ParseResult result, string path) =>
        ClassificationDataReader.Read(path, new ClassificationReadOptions
        {
            Format = ClassificationDataReader.ParseFormat(result.GetValue(Format)!),
            TestPath = result.GetValue(Test),
            TextField = result.GetValue(TextColumn)!,
            LabelField = result.GetValue(LabelColumn)!,
        });

    /// <summary>
    /// Splits and encodes: the test split is the data's own, else a stratified 10 % carved from training (seed + 1);
    /// validation is a stratified part of what remains; the vocabulary comes from the training part only.
    /// </summary>
    private static Prepared Prepare(ClassificationData data, SequenceClassifierConfig config, Vocabulary? vocabulary)
    {
        int[] trainLabels = data.TrainLabels;
        int[] pool, test;
        IReadOnlyList<LabeledText> testTexts;
        int[] testLabels;
        string testSource;
        if (data.Test is not null)
        {
            pool = Enumerable.Range(0, data.Train.Count).ToArray();
            testTexts = data.Test;
            testLabels = data.TestLabels!;
            test = Enumerable.Range(0, data.Test.Count).ToArray();
            testSource = "the data's test split";
        }
        else
        {
            SplitIndices carved = StratifiedSplit.Split(trainLabels, data.Labels.Count, 0.1, config.Seed + 1);
            pool = carved.Train;
            test = carved.Validation;
            testTexts = data.Train;
            testLabels = trainLabels;
            testSource = "10 % of the data held out (stratified) as a test split";
        }
        var poolLabels = new int[pool.Length];
        for (int i = 0; i < pool.Length; i++) poolLabels[i] = trainLabels[pool[i]];
        SplitIndices split = StratifiedSplit.Split(poolLabels, data.Labels.Count, config.ValidFraction, config.Seed);
        int[] trainIndices = split.Train.Select(i => pool[i]).ToArray();
        int[] validIndices = split.Validation.Select(i => pool[i]).ToArray();
        vocabulary ??= ClassificationVocabulary.Build(data.Train, trainIndices, EnglishTokenizer.Tokenize, config.MaxVocab, config.MinCount);
        var encoder = new TextEncoder(vocabulary, config.MaxLength, config.Truncate);
        return new Prepared(data,
            encoder.Encode(data.Train, trainLabels, trainIndices),
            encoder.Encode(data.Train, trainLabels, validIndices),
            encoder.Encode(testTexts, testLabels, test),
            vocabulary, testSource, pool);
    }

    private static Command CreateTrain()
    {
        var runOptions = new RunOptions(Kind);
        var modelOptions = new ClassifierOptions();
        var embeddings = new Option<string?>("--embeddings") { Description = "Pretrained word vectors: word2vec text or binary, or GloVe text. Rows of words without a vector start random." };
        var train = new Command("train", "Train a sequence classifier; report accuracy, per-class precision, recall and F1 and a confusion matrix on the test split.");
        train.Options.Add(Data);
        train.Options.Add(Test);
        train.Options.Add(Format);
        train.Options.Add(TextColumn);
        train.Options.Add(LabelColumn);
        train.Options.Add(Cache);
        train.Options.Add(embeddings);
        runOptions.AddTo(train);
        modelOptions.AddTo(train);
        train.SetAction(parseResult =>
        {
            CommandTree.ApplyCommon(parseResult);
            (LoadedCheckpoint? loaded, string runDirectory, TrainingSession.RunInfo? previous, int? limit) = runOptions.Resolve(parseResult);
            if (loaded is not null) RunOptions.RejectOnResume(parseResult, [embeddings, Test, Format, TextColumn, LabelColumn, .. modelOptions.FixedOnResume]);

            SequenceClassifierConfig? fresh = loaded is null ? modelOptions.Resolve(parseResult) : null;
            string? vectorsPath = parseResult.GetValue(embeddings);
            // Before the data is read, a lower bound (the smallest vocabulary, one text of one token; the embedding width of
            // pretrained vectors is not known yet): sizes no vocabulary can make fit are refused at once.
            if (fresh is not null)
                MemoryBudget.Require(MemoryEstimate.For(fresh with { VocabSize = 2, Classes = 2, EmbeddingSize = vectorsPath is null ? fresh.EmbeddingSize : 1 }, steps: 1, batch: 1));

            string dataPath = ResolveData(parseResult, previous?.Data);
            string? digest = File.Exists(dataPath) ? TrainingSession.Sha256Of(dataPath) : null;
            if (loaded is not null && digest is not null) TrainingSession.RequireSameData(previous, digest, runDirectory);
            ClassificationData data = Read(parseResult, dataPath);

            SequenceClassifier model;
            Prepared prepared;
            if (loaded is null)
            {
                SequenceClassifierConfig config = fresh!;
                if (parseResult.GetValue(modelOptions.Preset) == "tfmi" && vectorsPath is null)
                    throw new RecurrentException("The tfmi preset reads pretrained word vectors: give --embeddings FILE (word2vec text or binary, or GloVe text). " +
                        "Make them with 'recurrent embed train --text CORPUS --output vectors.bin' (for example on 'recurrent data get text8'), or use any published word2vec or GloVe file.");
                WordVectors? vectors = vectorsPath is null ? null : WordVectorsFile.Read(vectorsPath);
                if (vectors is not null) config = config with { EmbeddingSize = vectors.Dimension };
                prepared = Prepare(data, config with { VocabSize = 2, Classes = data.Labels.Count }, null);
                config = config with { VocabSize = prepared.Vocabulary.Count, Classes = data.Labels.Count };
                // The vocabulary and the longest text are known now: the whole training memory is checked before the model
                // and its batches are allocated (pretrained vectors already read are in what the machine reports as used).
                MemoryBudget.Require(SequenceClassifierTask.EstimateMemory(config, prepared.Train, prepared.Valid));
                model = new SequenceClassifier(config);
                if (vectors is not null) LoadVectors(model, prepared.Vocabulary, vectors, vectorsPath!);
                else if (config.PretrainEpochs > 0) Pretrain(model, data, prepared, runDirectory);
            }
            else
            {
                model = loaded.Model as SequenceClassifier ?? throw new RecurrentException($"{loaded.Path} holds a {loaded.Kind} model, not a classifier.");
                string[] labels = JsonSerializer.Deserialize<string[]>(loaded.Metadata(ModelCheckpoint.LabelsKey)) ?? [];
                if (!labels.SequenceEqual(data.Labels))
                    throw new RecurrentException($"The data's labels ({string.Join(", ", data.Labels)}) differ from the run's ({string.Join(", ", labels)}).");
                prepared = Prepare(data, model.Config, Vocabulary.FromJson(loaded.VocabularyJson));
            }

            var task = new SequenceClassifierTask(model, prepared.Train, prepared.Valid, data.Labels, prepared.Vocabulary.ToJson());
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

            SequenceClassifierConfig c = model.Config;
            PaddingStatistics padding = task.TrainPadding(trainer.Position.Epoch);
            AnsiConsole.MarkupLine($"[bold]Classifier[/]: {(c.OneHot ? "one-hot" : $"embedding {c.EmbeddingSize}{(c.FreezeEmbeddings ? " (frozen)" : "")}")}, {c.NumLayers} × {c.HiddenSize} " +
                $"{(c.Bidirectional ? "bidirectional " : "")}{c.Cell}, {c.Head} head, {(c.SigmoidOutput ? "sigmoid" : "softmax")} over {c.Classes} classes ({string.Join(", ", data.Labels)}), " +
                $"{model.CountParameters():N0} parameters; {trainer.Position.Epochs} epochs, batch {c.BatchSize}, {c.Optimizer} lr {c.LearningRate}, {Kernels.ComputeThreads.Count} threads");
            AnsiConsole.MarkupLine($"Data: {Markup.Escape(dataPath)}: {prepared.Train.Count:N0} training / {prepared.Valid.Count:N0} validation / {prepared.Test.Count:N0} test texts " +
                $"({Markup.Escape(prepared.TestSource)}); vocabulary {prepared.Vocabulary.Count:N0}; {(c.MaxLength > 0 ? $"texts cut to {c.MaxLength} tokens ({c.Truncate}); " : "")}" +
                $"padding {padding.Fraction:P1} of processed steps. Run folder: {Markup.Escape(runDirectory)}");

            var started = DateTime.UtcNow;
            if (TrainingSession.Run(trainer, monitor) == TrainingOutcome.Stopped) return TrainingSession.StoppedExitCode;
            if (!Recurrent.Training.Distributed.Cluster.World.IsRoot) return 0; // the root reports and tests
            monitor.PrintSummary(trainer.Position.History);

            // The test split is used once, at the end, with the model chosen on validation.
            string bestPath = trainer.PathOf(Trainer.BestCheckpointName);
            var best = (SequenceClassifier)ModelCheckpoint.Load(File.Exists(bestPath) ? bestPath : trainer.PathOf(Trainer.LastCheckpointName)).Model;
            (double loss, ClassificationReport report, _) = SequenceClassifierTask.Evaluate(best, prepared.Test, data.Labels, limit);
            AnsiConsole.MarkupLine($"[bold]Test[/] ({prepared.Test.Count:N0} texts, best on validation: epoch {trainer.Position.BestEpoch}): loss {loss:F4}");
            PrintReport(report);
            AtomicFile.WriteAllText(trainer.PathOf(ReportName), report.ToJson());
            Console.WriteLine($"Total time {(DateTime.UtcNow - started).TotalMinutes:F1} min. Checkpoints, metrics.jsonl, curve.png/svg and {ReportName} are in {runDirectory}");
            return 0;
        });
        return train;
    }

    /// <summary>
    /// Starts the embedding from skip-gram vectors trained on the texts of the training data, its validation part
    /// included (the config's pretrain_epochs). Only texts are read, never labels, and never a test text: what a user
    /// could do with unlabelled reviews. The validation texts add a tenth more co-occurrences; their labels still only
    /// select the model.
    /// </summary>
    private static void Pretrain(SequenceClassifier model, ClassificationData data, Prepared prepared, string runDirectory)
    {
        SequenceClassifierConfig c = model.Config;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Directory.CreateDirectory(runDirectory);
        WordVectors vectors = AnsiConsole.Status().Start(
            $"Pretraining the embedding: skip-gram, {c.PretrainEpochs} passes over the {prepared.PoolIndices.Length:N0} training and validation texts (labels unused)…",
            _ => TextPretraining.SkipGram(prepared.PoolIndices.Select(i => data.Train[i].Text), EnglishTokenizer.Tokenize, c.EmbeddingSize,
                c.PretrainEpochs, c.Seed, Kernels.ComputeThreads.Count, runDirectory));
        AnsiConsole.MarkupLine($"Pretrained the embedding on the training and validation texts in {watch.Elapsed.TotalSeconds:F0} s ({vectors.Count:N0} words).");
        LoadVectors(model, prepared.Vocabulary, vectors, "(skip-gram on the training and validation texts)");
    }

    /// <summary>Copies pretrained vectors into the embedding rows of the words they cover and reports the coverage.</summary>
    private static void LoadVectors(SequenceClassifier model, Vocabulary vocabulary, WordVectors vectors, string path)
    {
        Layers.Parameter weight = model.EmbeddingWeight ?? throw new RecurrentException("--embeddings needs an embedding; the config asks for one-hot input.");
        int d = vectors.Dimension, covered = 0, candidates = 0;
        Span<float> table = weight.Value.Span;
        for (int id = 0; id < vocabulary.Count; id++)
        {
            string word = vocabulary.WordOf(id);
            if (id == ClassificationVocabulary.PaddingId || id == ClassificationVocabulary.UnknownId) continue;
            candidates++;
            int row = vectors.IndexOf(word);
            if (row < 0) continue;
            vectors[row].CopyTo(table.Slice(id * d, d));
            covered++;
        }
        AnsiConsole.MarkupLine($"Pretrained vectors {Markup.Escape(path)}: {covered:N0} of {candidates:N0} vocabulary words ({(double)covered / Math.Max(candidates, 1):P1}) have a vector; the rest start random.");
    }

    private static Command CreateEval()
    {
        var eval = new Command("eval", "Accuracy, per-class precision, recall and F1 and a confusion matrix of a trained classifier on labelled data (its test split, or all of it).");
        eval.Arguments.Add(ModelPath);
        eval.Options.Add(Data);
        eval.Options.Add(Test);
        eval.Options.Add(Format);
        eval.Options.Add(TextColumn);
        eval.Options.Add(LabelColumn);
        eval.Options.Add(Cache);
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        eval.Options.Add(json);
        eval.SetAction(parseResult =>
        {
            CommandTree.ApplyCommon(parseResult);
            (SequenceClassifier model, Vocabulary vocabulary, string[] labels, _) = LoadClassifier(parseResult.GetValue(ModelPath)!);
            ClassificationData data = Read(parseResult, ResolveData(parseResult, null));
            IReadOnlyList<LabeledText> texts = data.Test ?? data.Train;
            var encoder = new TextEncoder(vocabulary, model.Config.MaxLength, model.Config.Truncate);
            var ids = new int[texts.Count];
            for (int i = 0; i < texts.Count; i++)
            {
                int id = Array.IndexOf(labels, texts[i].Label);
                ids[i] = id >= 0 ? id : throw new RecurrentException($"{texts[i].Source}: label '{texts[i].Label}' is not one the model knows ({string.Join(", ", labels)}).");
            }
            EncodedExamples examples = encoder.Encode(texts, ids, Enumerable.Range(0, texts.Count).ToArray());
            (double loss, ClassificationReport report, _) = SequenceClassifierTask.Evaluate(model, examples, labels);
            if (parseResult.GetValue(json)) Console.WriteLine(report.ToJson());
            else
            {
                AnsiConsole.MarkupLine($"{(data.Test is null ? "All" : "Test")} texts of {Markup.Escape(data.Source)}: {texts.Count:N0}; loss {loss:F4}");
                PrintReport(report);
            }
            return 0;
        });
        return eval;
    }

    private static Command CreatePredict()
    {
        var texts = new Argument<string[]>("text") { Description = "Texts to classify; without any, one text per line is read from standard input.", Arity = ArgumentArity.ZeroOrMore };
        var json = new Option<bool>("--json") { Description = "One JSON object per text: the label and the probability of each class." };
        var predict = new Command("predict", "Classify texts: the label and the probability of each class.");
        predict.Arguments.Add(ModelPath);
        predict.Arguments.Add(texts);
        predict.Options.Add(json);
        predict.SetAction(parseResult =>
        {
            CommandTree.ApplyCommon(parseResult);
            (SequenceClassifier model, Vocabulary vocabulary, string[] labels, _) = LoadClassifier(parseResult.GetValue(ModelPath)!);
            var predictor = new TextClassifier(model, vocabulary, labels);
            bool asJson = parseResult.GetValue(json);
            IEnumerable<string> inputs = parseResult.GetValue(texts) is { Length: > 0 } given ? given : ReadLines(Console.In);
            var probabilities = new float[labels.Length];
            foreach (string text in inputs)
            {
                int label = predictor.Predict(text, probabilities);
                if (asJson)
                {
                    var byClass = new Dictionary<string, double>();
                    for (int c = 0; c < labels.Length; c++) byClass[labels[c]] = Math.Round(probabilities[c], 6);
                    Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object> { ["text"] = text, ["label"] = labels[label], ["probabilities"] = byClass }));
                }
                else
                {
                    string all = string.Join("  ", labels.Select((l, c) => $"{l} {probabilities[c]:F4}"));
                    Console.WriteLine($"{labels[label]}\t{all}\t{text}");
                }
            }
            return 0;
        });
        return predict;
    }

    private static IEnumerable<string> ReadLines(TextReader reader)
    {
        string? line;
        while ((line = reader.ReadLine()) is not null)
            if (!string.IsNullOrWhiteSpace(line)) yield return line;
    }

    /// <summary>A classifier checkpoint with its vocabulary and labels.</summary>
    public static (SequenceClassifier Model, Vocabulary Vocabulary, string[] Labels, LoadedCheckpoint Loaded) LoadClassifier(string path)
    {
        ClassifierCheckpoint c = ClassifierCheckpoint.From(TrainingSession.LoadModel(path, Kind));
        return (c.Model, c.Vocabulary, c.Labels, c.Loaded);
    }

    /// <summary>Prints per-class precision, recall, F1 and support, accuracy and macro F1, and the confusion matrix.</summary>
    internal static void PrintReport(ClassificationReport report)
    {
        var scores = new Table().Border(TableBorder.Rounded).AddColumn("class")
            .AddColumn(new TableColumn("precision").RightAligned()).AddColumn(new TableColumn("recall").RightAligned())
            .AddColumn(new TableColumn("F1").RightAligned()).AddColumn(new TableColumn("support").RightAligned());
        for (int c = 0; c < report.Labels.Count; c++)
        {
            ClassScores s = report.Class(c);
            scores.AddRow(Markup.Escape(s.Label), s.Precision.ToString("F4"), s.Recall.ToString("F4"), s.F1.ToString("F4"), s.Support.ToString("N0"));
        }
        AnsiConsole.Write(scores);
        AnsiConsole.MarkupLine($"accuracy [bold]{report.Accuracy:P2}[/]  macro F1 {report.MacroF1:F4}  ({report.Total:N0} texts)");
        var confusion = new Table().Border(TableBorder.Rounded).AddColumn("true \\ predicted");
        foreach (string label in report.Labels) confusion.AddColumn(new TableColumn(Markup.Escape(label)).RightAligned());
        for (int i = 0; i < report.Labels.Count; i++)
        {
            var row = new List<string> { Markup.Escape(report.Labels[i]) };
            for (int j = 0; j < report.Labels.Count; j++) row.Add(report.Confusion(i, j).ToString("N0"));
            confusion.AddRow(row.ToArray());
        }
        AnsiConsole.Write(confusion);
    }
}
