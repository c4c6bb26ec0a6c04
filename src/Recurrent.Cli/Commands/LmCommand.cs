using System.CommandLine;
using Recurrent.Cli.Rendering;
using Recurrent.Data;
using Recurrent.Data.Datasets;
using Recurrent.Layers;
using Recurrent.Models;
using Recurrent.Text;
using Recurrent.Training;
using Recurrent.Training.Distributed;
using Spectre.Console;

namespace Recurrent.Cli.Commands;

/// <summary><c>recurrent lm …</c>: the word-level language model of ptb_word_lm.py.</summary>
public static class LmCommand
{
    private const string Kind = "word";

    public static Command Create()
    {
        var lm = new Command("lm", "Word-level language model (Zaremba et al. 2014, TensorFlow's ptb_word_lm.py).");
        lm.Subcommands.Add(CreateTrain());
        lm.Subcommands.Add(CreateEval());
        lm.Subcommands.Add(CreateNext());
        lm.Subcommands.Add(CreateGenerate());
        lm.Subcommands.Add(CreateScore());
        return lm;
    }

    private static readonly Option<string?> Data = new("--data")
    {
        Description = "Folder with ptb.train.txt, ptb.valid.txt, ptb.test.txt (or train.txt, valid.txt, test.txt). Default: the cache filled by 'recurrent data get ptb'.",
    };

    private static readonly Option<string?> Cache = new("--cache") { Description = "Dataset cache folder (default: $RECURRENT_CACHE or ~/.cache/recurrent)." };

    private static readonly Argument<string> ModelPath = new("model") { Description = "A checkpoint file (best.ckpt or last.ckpt of a run) or a run folder." };

    private static Command CreateTrain()
    {
        var preset = new Option<string>("--preset") { Description = $"Hyper-parameters: {string.Join(", ", WordModelPresets.Names)}.", DefaultValueFactory = _ => "small" };
        var runOptions = new RunOptions(Kind);
        var noTest = new Option<bool>("--no-test") { Description = "Skip the final test-set evaluation." };
        var memoryMap = new Option<bool>("--memory-map")
        {
            Description = $"Write the token ids once to binary files in the run folder and memory-map them, for corpora larger than memory (automatic for training files over {MappedWordCorpus.AutomaticAbove >> 20} MiB).",
        };
        var configOptions = new ModelConfigOptions();

        var train = new Command("train", "Train a word-level LSTM language model and report train, valid and test perplexity.");
        train.Options.Add(preset);
        train.Options.Add(Data);
        train.Options.Add(Cache);
        runOptions.AddTo(train);
        train.Options.Add(noTest);
        train.Options.Add(memoryMap);
        configOptions.AddTo(train);
        train.SetAction(parseResult =>
        {
            CommandTree.ApplyCommon(parseResult);
            (LoadedCheckpoint? loaded, string runDirectory, TrainingSession.RunInfo? previous, int? limit) = runOptions.Resolve(parseResult);
            if (loaded is not null) RunOptions.RejectOnResume(parseResult, [preset, .. configOptions.FixedOnResume]);

            string dataDirectory = DatasetLocator.Resolve(KnownDatasets.Ptb, parseResult.GetValue(Data) ?? previous?.Data, parseResult.GetValue(Cache));
            CorpusFiles files = CorpusFiles.Find(dataDirectory);
            string digest = TrainingSession.Sha256Of(files.Train, files.Valid, files.Test);
            if (loaded is not null) TrainingSession.RequireSameData(previous, digest, runDirectory);
            Vocabulary? known = loaded is null ? null : Vocabulary.FromJson(loaded.VocabularyJson);
            // A corpus larger than memory is read as a stream and its ids mapped from files the root writes once.
            bool map = parseResult.GetValue(memoryMap) || new FileInfo(files.Train).Length > MappedWordCorpus.AutomaticAbove;
            using MappedWordCorpus? mapped = map ? Cluster.World.RootFirst(() => MappedWordCorpus.Open(dataDirectory, known, Path.Combine(runDirectory, "tokens"))) : null;
            WordCorpus? loadedCorpus = map ? null : WordCorpus.Load(dataDirectory, known);
            Vocabulary vocabulary = mapped?.Vocabulary ?? loadedCorpus!.Vocabulary;
            (ReadOnlyMemory<int> trainIds, ReadOnlyMemory<int> validIds, ReadOnlyMemory<int> testIds) = mapped is not null
                ? (mapped.Train, mapped.Valid, mapped.Test)
                : (loadedCorpus!.Train, loadedCorpus.Valid, loadedCorpus.Test);
            LanguageModel model;
            if (loaded is null)
            {
                LanguageModelConfig config = configOptions.Resolve(parseResult, WordModelPresets.Get(parseResult.GetValue(preset)!))
                    with { VocabSize = vocabulary.Count };
                model = new LanguageModel(config);
            }
            else model = loaded.LanguageModel;

            bool runTest = !parseResult.GetValue(noTest);
            var task = new LanguageModelTask(Kind, model, vocabulary.ToJson(), trainIds, validIds, runTest ? testIds : (ReadOnlyMemory<int>?)null);
            var monitor = new ConsoleTrainingMonitor(task.Presentation);
            var trainer = new Trainer(task, new TrainerOptions
            {
                RunDirectory = runDirectory,
                MaxBatchesPerEpoch = limit,
                CheckpointInterval = runOptions.CheckpointInterval(parseResult),
                Epochs = loaded is null ? null : parseResult.GetValue(configOptions.Epochs),
                Force = parseResult.GetValue(runOptions.Force),
            }, monitor, loaded);
            TrainingSession.SaveRunInfo(runDirectory, new TrainingSession.RunInfo(dataDirectory, limit, digest));

            LanguageModelConfig c = model.Config;
            AnsiConsole.MarkupLine($"[bold]Word LM[/]: {c.NumLayers} × {c.HiddenSize} {c.Cell}, vocabulary {c.VocabSize:N0}, {model.ParameterCount:N0} parameters, " +
                $"{trainer.Position.Epochs} epochs, batch {c.BatchSize} × {c.NumSteps} steps, keep {c.KeepProb}, lr {c.LearningRate} (decay {c.LrDecay} after epoch {c.MaxEpoch}), {Kernels.ComputeThreads.Count} threads");
            AnsiConsole.MarkupLine($"Data: {Markup.Escape(dataDirectory)} ({trainIds.Length:N0} / {validIds.Length:N0} / {testIds.Length:N0} tokens{(map ? ", memory-mapped" : "")}). Run folder: {Markup.Escape(runDirectory)}");

            var started = DateTime.UtcNow;
            TrainingOutcome outcome = TrainingSession.Run(trainer, monitor);
            if (outcome == TrainingOutcome.Stopped) return TrainingSession.StoppedExitCode;
            if (!Cluster.World.IsRoot) return 0; // the root reports and tests
            monitor.PrintSummary(trainer.Position.History);
            if (runTest)
            {
                // The final model is what ptb_word_lm.py reports; the best-on-valid one is what early stopping keeps.
                var results = new List<string>();
                (double loss, long tokens, double seconds) = Test(model, testIds, c.NumSteps, limit);
                Console.WriteLine($"test perplexity {Math.Exp(loss):F2} (final model, {tokens:N0} words, batch size 1, {tokens / seconds:N0} words/s)");
                results.Add($"\"final\": {{\"test_loss\": {loss:R}, \"test_perplexity\": {Math.Exp(loss):R}, \"tokens\": {tokens}, \"seconds\": {seconds:R}}}");
                string bestPath = trainer.PathOf(Trainer.BestCheckpointName);
                if (File.Exists(bestPath))
                {
                    LoadedCheckpoint best = ModelCheckpoint.Load(bestPath);
                    int bestEpoch = best.Position?.History.Count ?? 0;
                    (double bestLoss, long bestTokens, double bestSeconds) = Test(best.LanguageModel, testIds, c.NumSteps, limit);
                    Console.WriteLine($"test perplexity {Math.Exp(bestLoss):F2} (best on valid: epoch {bestEpoch})");
                    results.Add($"\"best_on_valid\": {{\"epoch\": {bestEpoch}, \"test_loss\": {bestLoss:R}, \"test_perplexity\": {Math.Exp(bestLoss):R}, \"tokens\": {bestTokens}, \"seconds\": {bestSeconds:R}}}");
                }
                AtomicFile.WriteAllText(trainer.PathOf("test.json"), "{" + string.Join(", ", results) + "}\n");
            }
            Console.WriteLine($"Total time {(DateTime.UtcNow - started).TotalMinutes:F1} min. Checkpoints, metrics.jsonl and curve.png/svg are in {runDirectory}");
            return 0;
        });
        return train;
    }

    /// <summary>Test-set loss with batch size 1, so every word is scored with its whole history.</summary>
    private static (double Loss, long Tokens, double Seconds) Test(LanguageModel model, ReadOnlyMemory<int> tokens, int steps, int? limit)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        (double loss, long count) = LanguageModelTask.Evaluate(model, tokens.Span, 1, steps, limit);
        return (loss, count, clock.Elapsed.TotalSeconds);
    }

    private static Command CreateEval()
    {
        var split = new Option<string>("--split") { Description = "Which file of --data to score: train, valid or test.", DefaultValueFactory = _ => "test" };
        var file = new Option<string?>("--file") { Description = "Score this text file instead (words mapped with the model's vocabulary)." };
        var batch = new Option<int>("--batch-size") { Description = "Rows evaluated in parallel (1 scores every word with its full history).", DefaultValueFactory = _ => 1 };
        var eval = new Command("eval", "Perplexity of a trained model on a file.");
        eval.Arguments.Add(ModelPath);
        eval.Options.Add(Data);
        eval.Options.Add(Cache);
        eval.Options.Add(split);
        eval.Options.Add(file);
        eval.Options.Add(batch);
        eval.SetAction(parseResult =>
        {
            CommandTree.ApplyCommon(parseResult);
            LoadedCheckpoint loaded = LoadModel(parseResult.GetValue(ModelPath)!);
            Vocabulary vocabulary = Vocabulary.FromJson(loaded.VocabularyJson);
            int batchSize = parseResult.GetValue(batch);
            if (batchSize < 1) throw new RecurrentException($"--batch-size must be at least 1, got {batchSize}.");
            string path;
            if (parseResult.GetValue(file) is { } f)
            {
                path = f;
            }
            else
            {
                string directory = DatasetLocator.Resolve(KnownDatasets.Ptb, parseResult.GetValue(Data), parseResult.GetValue(Cache));
                CorpusFiles files = CorpusFiles.Find(directory);
                path = parseResult.GetValue(split) switch
                {
                    "train" => files.Train,
                    "valid" => files.Valid,
                    "test" => files.Test,
                    var other => throw new RecurrentException($"--split must be train, valid or test, got '{other}'."),
                };
            }
            if (!File.Exists(path)) throw new RecurrentException($"File '{path}' does not exist.");
            int[] tokens = WordFile.ReadIds(path, vocabulary);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            (double loss, long count) = LanguageModelTask.Evaluate(loaded.LanguageModel, tokens, batchSize, loaded.LanguageModel.Config.NumSteps);
            Console.WriteLine($"{path}: perplexity {Math.Exp(loss):F2}, {loss:F4} nats/word over {count:N0} words ({count / clock.Elapsed.TotalSeconds:N0} words/s)");
            return 0;
        });
        return eval;
    }

    private static Command CreateNext()
    {
        var text = new Argument<string>("text") { Description = "The words so far, e.g. \"this is an\"." };
        var topK = new Option<int>("--top-k") { Description = "How many candidates to show.", DefaultValueFactory = _ => 10 };
        var next = new Command("next", "Show the most probable next words after a text.");
        next.Arguments.Add(ModelPath);
        next.Arguments.Add(text);
        next.Options.Add(topK);
        next.SetAction(parseResult =>
        {
            CommandTree.ApplyCommon(parseResult);
            LoadedCheckpoint loaded = LoadModel(parseResult.GetValue(ModelPath)!);
            var codec = new WordCodec(Vocabulary.FromJson(loaded.VocabularyJson));
            int k = Math.Clamp(parseResult.GetValue(topK), 1, codec.Count);
            // The model reads a sentence after the previous one's end, as in training.
            int[] ids = codec.EncodeContext(parseResult.GetValue(text)!, "text");
            var probabilities = new float[codec.Count];
            RecurrentState state = loaded.LanguageModel.CreateState(1);
            loaded.LanguageModel.PredictNext(ids, state, probabilities);
            var table = new Table().AddColumn("next word").AddColumn(new TableColumn("probability").RightAligned());
            foreach (int id in TopK.Indices(probabilities, k)) table.AddRow(Markup.Escape(codec.Token(id)), probabilities[id].ToString("P2"));
            AnsiConsole.Write(table);
            return 0;
        });
        return next;
    }

    private static Command CreateGenerate()
    {
        var prime = new Option<string?>("--prime") { Description = "Words to start from (default: the start of a sentence)." };
        var sampling = new SamplingOptions("words", "Words to generate (<eos> ends a line and counts as one).", 50);
        var generate = new Command("generate", "Generate text from a trained word model, streaming it to standard output.");
        generate.Arguments.Add(ModelPath);
        generate.Options.Add(prime);
        sampling.AddTo(generate);
        generate.SetAction((parseResult, cancellation) =>
        {
            CommandTree.ApplyCommon(parseResult);
            int count = sampling.GetLength(parseResult);
            LoadedCheckpoint loaded = LoadModel(parseResult.GetValue(ModelPath)!);
            var codec = new WordCodec(Vocabulary.FromJson(loaded.VocabularyJson));
            TokenSampler sampler = sampling.CreateSampler(parseResult);
            string? start = parseResult.GetValue(prime);
            int[] primeIds = codec.EncodeContext(start ?? "", "--prime");
            TextWriter output = Console.Out;
            if (start is not null) output.Write(start.Trim() + " ");
            new TextGenerator(loaded.LanguageModel).Generate(primeIds, count, sampler, id =>
            {
                output.Write(codec.Continuation(id));
                output.Flush();
            }, cancellation);
            output.WriteLine();
            return Task.FromResult(0);
        });
        return generate;
    }

    private static Command CreateScore()
    {
        var score = new Command("score", "Read sentences on standard input, one per line; print each one's log-probability (natural log, <eos> included) and perplexity.");
        score.Arguments.Add(ModelPath);
        score.SetAction(parseResult =>
        {
            CommandTree.ApplyCommon(parseResult);
            LoadedCheckpoint loaded = LoadModel(parseResult.GetValue(ModelPath)!);
            var codec = new WordCodec(Vocabulary.FromJson(loaded.VocabularyJson));
            LanguageModel model = loaded.LanguageModel;
            string? line;
            int lineNumber = 0;
            while ((line = Console.In.ReadLine()) is not null)
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line)) continue;
                (int[] inputs, int[] targets) = codec.EncodeSentence(line, $"line {lineNumber}");
                SentenceScore result = SentenceScore.Of(model, inputs, targets);
                Console.WriteLine($"{result.LogProbability:F4}\t{result.Perplexity:F2}\t{line.Trim()}");
            }
            return 0;
        });
        return score;
    }

    internal static LoadedCheckpoint LoadModel(string path) => TrainingSession.LoadModel(path, Kind);
}
