using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using Recurrent.Cli.Rendering;
using Recurrent.Data;
using Recurrent.Embeddings;
using Recurrent.Kernels;

namespace Recurrent.Cli.Commands;

/// <summary>
/// <c>recurrent embed …</c>: word vectors. <c>train</c> is word2vec (skip-gram or CBOW with negative sampling, its
/// option names and defaults) or TensorFlow for Machine Intelligence's NCE skip-gram (<c>--preset tfmi</c>);
/// <c>nearest</c>, <c>analogy</c> and <c>eval</c> use any word2vec or GloVe vectors file.
/// </summary>
public static class EmbedCommand
{
    public static Command Create()
    {
        var embed = new Command("embed", "Word vectors: train (word2vec skip-gram/CBOW, NCE), nearest words, analogies, analogy accuracy.");
        embed.Subcommands.Add(CreateTrain());
        embed.Subcommands.Add(CreateNearest());
        embed.Subcommands.Add(CreateAnalogy());
        embed.Subcommands.Add(CreateEval());
        return embed;
    }

    private static readonly Argument<string> VectorsPath = new("vectors") { Description = "A word2vec (text or binary) or GloVe vectors file." };

    private static Command CreateTrain()
    {
        var text = new Option<string>("--text") { Description = "Training text: UTF-8, split on white space, a line feed ends a sentence. Plain, .gz, or a .zip (its first file).", Required = true };
        var output = new Option<string>("--output") { Description = "Vectors file to write: word2vec text, or binary with --binary or a name ending in .bin.", Required = true };
        var size = new Option<int?>("--size") { Description = "Vector length (default 100; tfmi 200)." };
        var window = new Option<int?>("--window") { Description = "Largest context distance; each word draws its window from 1 … this (default 5; tfmi 10)." };
        var negative = new Option<int?>("--negative") { Description = "Noise words per pair (default 5); NCE: per batch (default 100)." };
        var sample = new Option<double?>("--sample") { Description = "Subsampling threshold for frequent words, 0 to keep all (default 1e-3; tfmi 0)." };
        var minCount = new Option<int?>("--min-count") { Description = "Leave out words seen fewer times (default 5; tfmi 1)." };
        var iter = new Option<int?>("--iter") { Description = "Passes over the text (default 5; tfmi 1)." };
        var alpha = new Option<float?>("--alpha") { Description = "Starting learning rate, decayed linearly to alpha·1e-4 (default 0.025 skip-gram, 0.05 CBOW); NCE: constant (default 0.5)." };
        // An int rather than a bool: System.CommandLine only lets a bool option take "true"/"false", not word2vec's 0/1.
        var cbow = new Option<int>("--cbow")
        {
            Description = "CBOW instead of skip-gram (word2vec's -cbow 1; '--cbow 0' is skip-gram, the default here).",
            Arity = ArgumentArity.ZeroOrOne,
            CustomParser = ParseFlag,
        };
        var loss = new Option<string?>("--loss") { Description = "ns: negative sampling (word2vec, default); nce: noise-contrastive estimation (tf.nn.nce_loss, momentum, batches of 1000)." };
        var preset = new Option<string?>("--preset") { Description = "tfmi: TensorFlow for Machine Intelligence's settings (NCE, 100 noise words, 10,000 words with <unk>, momentum 0.5, lr 0.5, batch 1000, window 10). Other options override it." };
        var maxVocab = new Option<int?>("--max-vocab") { Description = "Keep at most this many of the most frequent words (default: no limit; tfmi 10000 with <unk>)." };
        var initRange = new Option<float?>("--init-range") { Description = "Negative sampling: input vectors start uniform in ±R/size (default 16; word2vec.c uses 0.5, gensim 1)." };
        var seed = new Option<ulong>("--seed") { Description = "Random seed: with --threads 1 a run is reproducible bit for bit.", DefaultValueFactory = _ => 1 };
        var binary = new Option<bool>("--binary") { Description = "Write word2vec's binary format (also chosen by an output name ending in .bin)." };
        var force = new Option<bool>("--force") { Description = "Overwrite the output file if it exists." };

        var train = new Command("train", "Train word vectors on a text (two streamed passes: count, then train) and write them in word2vec's format.");
        foreach (Option o in (Option[])[text, output, size, window, negative, sample, minCount, iter, alpha, cbow, loss, preset, maxVocab, initRange, seed, binary, force])
            train.Options.Add(o);
        train.SetAction(parseResult =>
        {
            CommandTree.ApplyCommon(parseResult);
            EmbeddingOptions baseOptions = parseResult.GetValue(preset) switch
            {
                null => new EmbeddingOptions(),
                var p when p.Equals("tfmi", StringComparison.OrdinalIgnoreCase) => EmbeddingOptions.Tfmi,
                var p => throw new RecurrentException($"Unknown preset '{p}'; known: tfmi."),
            };
            EmbeddingLoss objective = parseResult.GetValue(loss)?.ToLowerInvariant() switch
            {
                null => baseOptions.Loss,
                "ns" => EmbeddingLoss.NegativeSampling,
                "nce" => EmbeddingLoss.Nce,
                var l => throw new RecurrentException($"--loss must be ns or nce, got '{l}'."),
            };
            if (objective == EmbeddingLoss.Nce && parseResult.GetValue(initRange) is not null)
                throw new RecurrentException("--init-range applies to negative sampling (--loss ns); NCE starts its embeddings uniform in (−1, 1), as TensorFlow for Machine Intelligence does.");
            bool nceDefaults = objective == EmbeddingLoss.Nce && baseOptions.Loss != EmbeddingLoss.Nce;
            var options = baseOptions with
            {
                Loss = objective,
                Dimension = parseResult.GetValue(size) ?? baseOptions.Dimension,
                Window = parseResult.GetValue(window) ?? baseOptions.Window,
                Negative = parseResult.GetValue(negative) ?? (nceDefaults ? EmbeddingOptions.Tfmi.Negative : baseOptions.Negative),
                Sample = parseResult.GetValue(sample) ?? baseOptions.Sample,
                MinCount = parseResult.GetValue(minCount) ?? baseOptions.MinCount,
                Epochs = parseResult.GetValue(iter) ?? baseOptions.Epochs,
                LearningRate = parseResult.GetValue(alpha) ?? baseOptions.LearningRate,
                Cbow = parseResult.GetValue(cbow) == 1,
                MaxVocabulary = parseResult.GetValue(maxVocab) ?? baseOptions.MaxVocabulary,
                InitialRange = parseResult.GetValue(initRange) ?? baseOptions.InitialRange,
                Seed = parseResult.GetValue(seed),
                Threads = parseResult.GetValue(CommandTree.Threads) ?? ComputeThreads.Count,
            };
            options.Validate();

            string outputPath = parseResult.GetValue(output)!;
            bool force_ = parseResult.GetValue(force);
            if (!force_ && File.Exists(outputPath)) throw new RecurrentException($"--output: '{outputPath}' exists; add --force to overwrite it.");
            if (Directory.Exists(outputPath)) throw new RecurrentException($"--output: '{outputPath}' is a folder, not a file name.");
            bool writeBinary = parseResult.GetValue(binary) || WordVectorsFile.IsBinaryName(outputPath);

            // Ctrl-C, SIGTERM and SIGHUP write the vectors trained so far; a second signal exits at once.
            using var stop = new ShutdownSignals();
            {
                CorpusFile corpus = CorpusFile.Open(parseResult.GetValue(text)!);
                var clock = Stopwatch.StartNew();
                Console.Error.WriteLine($"Counting the words of {corpus.Path} ({corpus.Format.ToString().ToLowerInvariant()}, {corpus.Length / 1e6:F1} MB)…");
                EmbeddingVocabulary vocabulary;
                try
                {
                    vocabulary = EmbeddingVocabulary.FromText(corpus, options.MinCount, options.MaxVocabulary, options.MapUnknown, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    Console.Error.WriteLine("stopped while counting words; nothing written.");
                    return ShutdownSignals.StoppedExitCode;
                }
                double countSeconds = clock.Elapsed.TotalSeconds;
                string model = options.Loss == EmbeddingLoss.Nce ? "skip-gram, NCE" : options.Cbow ? "CBOW, negative sampling" : "skip-gram, negative sampling";
                Console.WriteLine(
                    $"Vocabulary: {vocabulary.Count:N0} words{(options.MapUnknown ? " (with <unk>)" : "")}, {vocabulary.TrainWords:N0} of the text's {vocabulary.CorpusWords:N0} words ({countSeconds:F1} s to count).");
                Console.WriteLine(
                    $"Training {model}: size {options.Dimension}, window {options.Window}, negative {options.Negative}, sample {options.Sample:G3}, {options.Epochs} epoch{(options.Epochs == 1 ? "" : "s")}, " +
                    $"alpha {options.EffectiveLearningRate:G3}{(options.Loss == EmbeddingLoss.Nce ? $" (momentum {options.Momentum}, batch {options.BatchSize})" : $", init ±{options.InitialRange:G3}/size")}, {options.Threads} thread{(options.Threads == 1 ? "" : "s")}, seed {options.Seed}.");

                var trainer = new EmbeddingTrainer(corpus, vocabulary, options);
                EmbeddingResult result;
                using (var monitor = new ConsoleEmbeddingMonitor())
                {
                    monitor.Start();
                    result = trainer.Train(stop.Token, monitor.Report);
                }
                WordVectorsFile.Write(outputPath, result.Vectors, writeBinary);
                string format = writeBinary ? "binary" : "text";
                if (!result.Completed)
                {
                    Console.WriteLine($"stopped at {result.Final.Fraction:P1}: wrote the vectors trained so far ({result.Vectors.Count:N0} × {result.Vectors.Dimension}, word2vec {format}) to {outputPath}.");
                    return ShutdownSignals.StoppedExitCode;
                }
                Console.WriteLine($"trained {result.Final.TokensRead:N0} words in {result.Final.Elapsed.TotalSeconds:F1} s: {result.WordsPerSecond:N0} words/s " +
                    $"(every word read, subsampled or not; {options.Epochs} epoch{(options.Epochs == 1 ? "" : "s")}).");
                Console.WriteLine($"wrote {result.Vectors.Count:N0} vectors of {result.Vectors.Dimension} (word2vec {format}) to {outputPath}; total time {clock.Elapsed.TotalSeconds:F1} s.");
                return 0;
            }
        });
        return train;
    }

    /// <summary>word2vec's flag syntax: <c>--cbow</c> alone or <c>--cbow 1</c> is 1, <c>--cbow 0</c> is 0.</summary>
    private static int ParseFlag(ArgumentResult result)
    {
        if (result.Tokens.Count == 0) return 1;
        switch (result.Tokens[0].Value.ToLowerInvariant())
        {
            case "1": case "true": return 1;
            case "0": case "false": return 0;
            default:
                result.AddError($"--cbow takes 0 or 1 (or nothing, meaning 1), not '{result.Tokens[0].Value}'.");
                return 0;
        }
    }

    private static readonly Option<int> Count = new("--k") { Description = "How many words to list.", DefaultValueFactory = _ => 10 };

    private static Command CreateNearest()
    {
        var word = new Argument<string>("word") { Description = "The word to find neighbours of." };
        var nearest = new Command("nearest", "The words whose vectors are closest to a word's (cosine similarity).");
        nearest.Arguments.Add(VectorsPath);
        nearest.Arguments.Add(word);
        nearest.Options.Add(Count);
        nearest.SetAction(parseResult =>
        {
            CommandTree.ApplyCommon(parseResult);
            int k = CheckCount(parseResult);
            WordVectors vectors = WordVectorsFile.Read(parseResult.GetValue(VectorsPath)!);
            string w = parseResult.GetValue(word)!;
            Print(vectors.Nearest(w, k));
            return 0;
        });
        return nearest;
    }

    private static Command CreateAnalogy()
    {
        var a = new Argument<string>("a") { Description = "a, in 'a is to b as c is to ?'." };
        var b = new Argument<string>("b") { Description = "b." };
        var c = new Argument<string>("c") { Description = "c." };
        var analogy = new Command("analogy",
            "word2vec's word-analogy: 'a is to b as c is to ?', the words x closest to b − a + c (cosine on unit vectors, 3CosAdd), leaving out a, b and c. " +
            "Example: 'man king woman' answers queen.");
        analogy.Arguments.Add(VectorsPath);
        analogy.Arguments.Add(a);
        analogy.Arguments.Add(b);
        analogy.Arguments.Add(c);
        analogy.Options.Add(Count);
        analogy.SetAction(parseResult =>
        {
            CommandTree.ApplyCommon(parseResult);
            int k = CheckCount(parseResult);
            WordVectors vectors = WordVectorsFile.Read(parseResult.GetValue(VectorsPath)!);
            string wa = parseResult.GetValue(a)!, wb = parseResult.GetValue(b)!, wc = parseResult.GetValue(c)!;
            Console.WriteLine($"{wa} is to {wb} as {wc} is to:");
            Print(vectors.Analogy(wa, wb, wc, k));
            return 0;
        });
        return analogy;
    }

    private static Command CreateEval()
    {
        var questions = new Option<string>("--questions") { Description = "Analogy questions, word2vec's questions-words.txt layout (': section' lines, then 'a b c d').", Required = true };
        var candidates = new Option<int>("--candidates") { Description = "Only the first N rows (the most frequent words) are answers, as compute-accuracy's threshold.", DefaultValueFactory = _ => AnalogyEvaluation.DefaultCandidates };
        var eval = new Command("eval", "Analogy accuracy by word2vec's compute-accuracy rules (30,000 most frequent words, case-insensitive, question words excluded).");
        eval.Arguments.Add(VectorsPath);
        eval.Options.Add(questions);
        eval.Options.Add(candidates);
        eval.SetAction(parseResult =>
        {
            CommandTree.ApplyCommon(parseResult);
            int n = parseResult.GetValue(candidates);
            if (n < 1) throw new RecurrentException($"--candidates must be at least 1, got {n}.");
            WordVectors vectors = WordVectorsFile.Read(parseResult.GetValue(VectorsPath)!, out _, n);
            AnalogyReport report = AnalogyEvaluation.Evaluate(vectors, parseResult.GetValue(questions)!, n);
            foreach (string line in report.Lines()) Console.WriteLine(line);
            return 0;
        });
        return eval;
    }

    private static int CheckCount(ParseResult parseResult)
    {
        int k = parseResult.GetValue(Count);
        if (k < 1) throw new RecurrentException($"--k must be at least 1, got {k}.");
        return k;
    }

    private static void Print(IReadOnlyList<WordScore> words)
    {
        int width = Math.Max(4, words.Count == 0 ? 4 : words.Max(w => w.Word.Length));
        for (int i = 0; i < words.Count; i++)
            Console.WriteLine($"{i + 1,3}  {words[i].Word.PadRight(width)}  {words[i].Similarity:F4}");
    }
}
