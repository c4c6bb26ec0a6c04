using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json;
using Recurrent.Cli.Rendering;
using Recurrent.Data;
using Recurrent.Models;
using Recurrent.Text;
using Recurrent.Training;
using Spectre.Console;

namespace Recurrent.Cli.Commands;

/// <summary>
/// <c>recurrent char …</c>: character-level language models (char-rnn; Python Machine Learning ch. 16; TensorFlow for
/// Machine Intelligence ch. 6): train on any UTF-8 text, measure bits per character, and generate text.
/// </summary>
public static class CharCommand
{
    private const string Kind = "char";
    private const string TextInfoName = "char-text.json";

    public static Command Create()
    {
        var command = new Command("char", "Character-level language model: train on a UTF-8 text, evaluate, generate text.");
        command.Subcommands.Add(CreateTrain());
        command.Subcommands.Add(CreateEval());
        command.Subcommands.Add(CreateSample());
        return command;
    }

    private static readonly Argument<string> ModelPath = new("model") { Description = "A checkpoint file (best.ckpt or last.ckpt of a run) or a run folder (its best.ckpt)." };

    private static Command CreateTrain()
    {
        var text = new Option<string?>("--text") { Description = "UTF-8 text file to learn (the last --valid-fraction of it is kept for validation)." };
        var preset = new Option<string>("--preset") { Description = $"Hyper-parameters: {string.Join(", ", CharModelPresets.Names)}.", DefaultValueFactory = _ => "default" };
        var validFraction = new Option<double>("--valid-fraction") { Description = "Share of the text, from its end, used for validation.", DefaultValueFactory = _ => CharCorpus.DefaultValidFraction };
        var minCount = new Option<int>("--min-count") { Description = "Characters seen fewer times map to U+FFFD (the unknown symbol).", DefaultValueFactory = _ => 1 };
        var runOptions = new RunOptions(Kind);
        var sampleLength = new Option<int>("--sample") { Description = "Characters to generate from the best model at the end (0: none).", DefaultValueFactory = _ => 300 };
        var configOptions = new ModelConfigOptions();

        var train = new Command("train", "Train a character-level model on a text file and report bits per character.");
        train.Options.Add(text);
        train.Options.Add(preset);
        train.Options.Add(validFraction);
        train.Options.Add(minCount);
        runOptions.AddTo(train);
        train.Options.Add(sampleLength);
        configOptions.AddTo(train);
        train.SetAction(parseResult =>
        {
            CommandTree.ApplyCommon(parseResult);
            (LoadedCheckpoint? loaded, string runDirectory, _, int? limit) = runOptions.Resolve(parseResult);
            if (loaded is not null) RunOptions.RejectOnResume(parseResult, [preset, validFraction, minCount, .. configOptions.FixedOnResume]);

            CharCorpus corpus;
            TextInfo info;
            if (loaded is null)
            {
                string path = parseResult.GetValue(text) ?? throw new RecurrentException("--text is required: the UTF-8 text file to train on.");
                info = new TextInfo(Path.GetFullPath(path), parseResult.GetValue(validFraction), parseResult.GetValue(minCount), "");
                corpus = CharCorpus.Load(info.Path, info.ValidFraction, info.MinCount);
                info = info with { Sha256 = Sha256Of(info.Path) };
            }
            else
            {
                // The run's own text, split as before, with the checkpoint's vocabulary: resume sees the same batches.
                info = LoadTextInfo(runDirectory);
                if (parseResult.GetValue(text) is { } given && Path.GetFullPath(given) != info.Path)
                    throw new RecurrentException($"--text: the run {runDirectory} was trained on {info.Path}, not {Path.GetFullPath(given)}.");
                if (Sha256Of(info.Path) != info.Sha256)
                    throw new RecurrentException($"{info.Path} has changed since the run {runDirectory} started (SHA-256 differs); resuming on other text would not continue the same run.");
                corpus = CharCorpus.Load(info.Path, info.ValidFraction, info.MinCount, CharVocabulary.FromJson(loaded.VocabularyJson));
            }

            LanguageModel model;
            if (loaded is null)
            {
                LanguageModelConfig config = configOptions.Resolve(parseResult, CharModelPresets.Get(parseResult.GetValue(preset)!))
                    with { VocabSize = corpus.Vocabulary.Count };
                config.Validate();
                model = new LanguageModel(config);
            }
            else model = loaded.LanguageModel;

            var task = new LanguageModelTask(Kind, model, corpus.Vocabulary.ToJson(), corpus.Train, corpus.Valid);
            var monitor = new ConsoleTrainingMonitor(task.Presentation);
            var trainer = new Trainer(task, new TrainerOptions
            {
                RunDirectory = runDirectory,
                MaxBatchesPerEpoch = limit,
                CheckpointInterval = runOptions.CheckpointInterval(parseResult),
                Epochs = loaded is null ? null : parseResult.GetValue(configOptions.Epochs),
                Force = parseResult.GetValue(runOptions.Force),
            }, monitor, loaded);
            TrainingSession.SaveRunInfo(runDirectory, new TrainingSession.RunInfo(info.Path, limit, info.Sha256));
            AtomicFile.WriteAllText(Path.Combine(runDirectory, TextInfoName), JsonSerializer.Serialize(info));

            LanguageModelConfig c = model.Config;
            string input = c.OneHot ? "one-hot" : $"embedding {c.EffectiveEmbeddingSize}";
            AnsiConsole.MarkupLine($"[bold]Char model[/]: {input}, {c.NumLayers} × {c.HiddenSize} {c.Cell}, {c.VocabSize} characters, {model.ParameterCount:N0} parameters, " +
                $"{trainer.Position.Epochs} epochs, batch {c.BatchSize} × {c.NumSteps} steps, keep {c.KeepProb}, {c.Optimizer} lr {c.LearningRate} (decay {c.LrDecay} after epoch {c.MaxEpoch}), clip {c.MaxGradNorm}, {Kernels.ComputeThreads.Count} threads");
            AnsiConsole.MarkupLine($"Text: {Markup.Escape(info.Path)} ({corpus.Train.Length:N0} training / {corpus.Valid.Length:N0} validation characters). Run folder: {Markup.Escape(runDirectory)}");

            var started = DateTime.UtcNow;
            TrainingOutcome outcome = TrainingSession.Run(trainer, monitor);
            if (outcome == TrainingOutcome.Stopped) return TrainingSession.StoppedExitCode;
            if (!Recurrent.Training.Distributed.Cluster.World.IsRoot) return 0; // the root reports and tests
            monitor.PrintSummary(trainer.Position.History);

            int length = parseResult.GetValue(sampleLength);
            string best = trainer.PathOf(Trainer.BestCheckpointName);
            if (length > 0 && File.Exists(best))
            {
                LoadedCheckpoint bestModel = ModelCheckpoint.Load(best);
                string prime = DefaultPrime(corpus.Vocabulary);
                Console.WriteLine($"Sample ({length} characters, temperature 0.7, from {best}):");
                Console.Write(prime);
                new TextGenerator(bestModel.LanguageModel).GenerateText(corpus.Vocabulary, prime, length, new TokenSampler(c.Seed, temperature: 0.7f), Console.Out);
                Console.WriteLine();
            }
            Console.WriteLine($"Total time {(DateTime.UtcNow - started).TotalMinutes:F1} min. Checkpoints, metrics.jsonl and curve.png/svg are in {runDirectory}");
            return 0;
        });
        return train;
    }

    private static Command CreateEval()
    {
        var text = new Option<string>("--text") { Description = "UTF-8 text file to score.", Required = true };
        var batch = new Option<int>("--batch-size") { Description = "Rows evaluated in parallel (1 scores every character with its full history).", DefaultValueFactory = _ => 1 };
        var eval = new Command("eval", "Bits per character of a trained model on a text file (characters outside its vocabulary count as U+FFFD when it has one).");
        eval.Arguments.Add(ModelPath);
        eval.Options.Add(text);
        eval.Options.Add(batch);
        eval.SetAction(parseResult =>
        {
            CommandTree.ApplyCommon(parseResult);
            LoadedCheckpoint loaded = LoadModel(parseResult.GetValue(ModelPath)!);
            CharVocabulary vocabulary = CharVocabulary.FromJson(loaded.VocabularyJson);
            int batchSize = parseResult.GetValue(batch);
            if (batchSize < 1) throw new RecurrentException($"--batch-size must be at least 1, got {batchSize}.");
            string path = parseResult.GetValue(text)!;
            int[] ids = vocabulary.Encode(Utf8TextFile.Read(path), mapUnknown: true, source: path);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            (double loss, long count) = LanguageModelTask.Evaluate(loaded.LanguageModel, ids, batchSize, loaded.LanguageModel.Config.NumSteps);
            Console.WriteLine($"{path}: {loss / Math.Log(2):F4} bits per character ({loss:F4} nats) over {count:N0} characters ({count / clock.Elapsed.TotalSeconds:N0} chars/s)");
            return 0;
        });
        return eval;
    }

    private static Command CreateSample()
    {
        var prime = new Option<string?>("--prime") { Description = "Text to start from; every character must be in the model's vocabulary (default: a new line)." };
        var sampling = new SamplingOptions("characters", "Characters to generate.", 500);
        var sample = new Command("sample", "Generate text from a trained character model, streaming it to standard output (the prime first).");
        sample.Arguments.Add(ModelPath);
        sample.Options.Add(prime);
        sampling.AddTo(sample);
        sample.SetAction((parseResult, cancellation) =>
        {
            CommandTree.ApplyCommon(parseResult);
            int count = sampling.GetLength(parseResult);
            LoadedCheckpoint loaded = LoadModel(parseResult.GetValue(ModelPath)!);
            CharVocabulary vocabulary = CharVocabulary.FromJson(loaded.VocabularyJson);
            TokenSampler sampler = sampling.CreateSampler(parseResult);
            string start = parseResult.GetValue(prime) ?? DefaultPrime(vocabulary);
            vocabulary.Encode(start, mapUnknown: false, source: "--prime"); // refuse a bad prime before anything is written
            var output = Console.Out;
            var generator = new TextGenerator(loaded.LanguageModel);
            output.Write(start);
            generator.GenerateText(vocabulary, start, count, sampler, output, cancellation);
            output.WriteLine();
            output.Flush();
            return Task.FromResult(0);
        });
        return sample;
    }

    private static string DefaultPrime(CharVocabulary vocabulary) => new CharCodec(vocabulary).DefaultPrime;

    private static LoadedCheckpoint LoadModel(string path) => TrainingSession.LoadModel(path, Kind);

    private static string Sha256Of(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static TextInfo LoadTextInfo(string runDirectory)
    {
        string path = Path.Combine(runDirectory, TextInfoName);
        if (!File.Exists(path)) throw new RecurrentException($"--resume: {runDirectory} has no {TextInfoName}; it was not started by 'char train'.");
        try
        {
            return JsonSerializer.Deserialize<TextInfo>(File.ReadAllText(path))
                ?? throw new RecurrentException($"--resume: {path} is empty.");
        }
        catch (JsonException e)
        {
            throw new RecurrentException($"--resume: {path} is not a text record ({e.Message}).");
        }
    }

    /// <summary>How a run read its text, so that --resume splits it the same way.</summary>
    private sealed record TextInfo(string Path, double ValidFraction, int MinCount, string Sha256);
}
