using System.CommandLine;
using System.Globalization;
using Recurrent.Data;
using Recurrent.Kernels;
using Recurrent.Models;
using Recurrent.Training;

namespace Recurrent.Cli.Commands;

/// <summary>
/// <c>recurrent bench</c>: throughput measurements, one JSON object per line on stdout.
/// Each benchmark is a subcommand (<c>gemm</c>, <c>fma</c>); the timing loops live in the library.
/// </summary>
public static class BenchCommand
{
    /// <summary><c>--repeat R</c>: timing samples per measurement (the median is reported).</summary>
    public static readonly Option<int> Repeat = new("--repeat")
    {
        Description = "Timing samples per measurement; the median is reported.",
        DefaultValueFactory = _ => 7,
        Recursive = true,
    };

    public static Command Create()
    {
        var bench = new Command("bench", "Measure throughput; prints one JSON object per line.");
        bench.Options.Add(Repeat);
        bench.Subcommands.Add(CreateGemm());
        bench.Subcommands.Add(CreateFma());
        bench.Subcommands.Add(CreateLm());
        bench.Subcommands.Add(CreateClassify());
        bench.Subcommands.Add(ServeBenchCommand.Create());
        bench.Subcommands.Add(CreateTag());
        bench.Subcommands.Add(CreateAllReduce());
        return bench;
    }

    private static int GetRepeat(ParseResult result)
    {
        int repeat = result.GetValue(Repeat);
        if (repeat < 1) throw new RecurrentException($"--repeat must be at least 1, got {repeat}.");
        return repeat;
    }

    /// <summary>
    /// <c>recurrent bench gemm [--threads N] [--repeat R] [--size small|medium|all] [--packed]</c>:
    /// GFLOP/s of the model-shaped products and their backward transposes (see <see cref="GemmBenchmark.StandardCases"/>).
    /// </summary>
    private static Command CreateGemm()
    {
        var size = new Option<string>("--size")
        {
            Description = "Which shapes: small, medium or all.",
            DefaultValueFactory = _ => "all",
        };
        size.AcceptOnlyFromAmong("small", "medium", "all");
        var packed = new Option<bool>("--packed")
        {
            Description = "Also time nn and nt with op(B) packed once up front (Gemm.Pack), as the LSTM recurrence uses it; these lines carry \"packedB\":true.",
        };
        var gemm = new Command("gemm", "GEMM GFLOP/s on the language-model shapes (nn forward, nt and tn backward).");
        gemm.Options.Add(size);
        gemm.Options.Add(packed);
        gemm.SetAction(result =>
        {
            CommandTree.ApplyCommon(result);
            int repeat = GetRepeat(result);
            string which = result.GetValue(size)!;
            bool withPacked = result.GetValue(packed);
            foreach (GemmBenchmark.Case c in GemmBenchmark.StandardCases(which is "small" or "all", which is "medium" or "all"))
            {
                Console.WriteLine(GemmBenchmark.ToJson(c, ComputeThreads.Count, GemmBenchmark.Measure(c, repeat)));
                if (withPacked && c.Op != "tn")
                    Console.WriteLine(GemmBenchmark.ToJson(c, ComputeThreads.Count, GemmBenchmark.Measure(c, repeat, packedB: true), packedB: true));
            }
            return 0;
        });
        return gemm;
    }

    /// <summary>
    /// <c>recurrent bench fma [--threads N] [--repeat R]</c>: the vector FMA peak for 1, 2, … N threads,
    /// the yardstick for GEMM efficiency.
    /// </summary>
    private static Command CreateFma()
    {
        var fma = new Command("fma", "Peak FMA GFLOP/s (independent Vector512 FMAs on 12 accumulators) for 1..N threads.");
        fma.SetAction(result =>
        {
            CommandTree.ApplyCommon(result);
            int repeat = GetRepeat(result);
            for (int t = 1; t <= ComputeThreads.Count; t++)
            {
                double gflops = GemmBenchmark.MeasureFmaPeak(t, repeat);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"bench\":\"fma\",\"threads\":{t},\"gflops\":{gflops:F1}}}"));
            }
            return 0;
        });
        return fma;
    }

    /// <summary>
    /// <c>mpirun -np N recurrent bench allreduce [--megabytes M] [--repeat R]</c>: the median time of one allreduce of
    /// M megabytes of floats over the job's ranks (the slowest rank's median), and the bus bandwidth 2(N−1)/N · bytes / time.
    /// </summary>
    private static Command CreateAllReduce()
    {
        var megabytes = new Option<double>("--megabytes") { Description = "Buffer size in MB (PTB small's gradients: 18.6, medium: 79.1, large: 264.1).", DefaultValueFactory = _ => 18.6 };
        var allreduce = new Command("allreduce", "Time one MPI_Allreduce of a gradient-sized float buffer (run under mpirun).");
        allreduce.Options.Add(megabytes);
        allreduce.SetAction(result =>
        {
            CommandTree.ApplyCommon(result);
            int repeat = GetRepeat(result);
            double mb = result.GetValue(megabytes);
            if (!(mb > 0) || mb > 8000) throw new RecurrentException($"--megabytes must be in (0, 8000], got {mb}.");
            var world = Training.Distributed.Cluster.World;
            int floats = (int)(mb * 1e6 / sizeof(float));
            double seconds = Training.Distributed.AllReduceBenchmark.Measure(world, floats, repeat);
            double busBytes = 2.0 * (world.Size - 1) / world.Size * floats * sizeof(float);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"bench\":\"allreduce\",\"ranks\":{world.Size},\"megabytes\":{floats * 4e-6:F1},\"median_ms\":{seconds * 1e3:F2},\"bus_gb_per_s\":{busBytes / seconds / 1e9:F2}}}"));
            return 0;
        });
        return allreduce;
    }

    /// <summary>
    /// <c>recurrent bench lm --preset small|medium|large [--batches N] [--data DIR] [--threads N]</c>: words per second
    /// of the preset's training step (as the trainer runs it) and of evaluation at batch 20, with peak memory.
    /// </summary>
    private static Command CreateLm()
    {
        var preset = new Option<string>("--preset")
        {
            Description = "Model preset: small, medium or large.",
            DefaultValueFactory = _ => "small",
        };
        preset.AcceptOnlyFromAmong("small", "medium", "large", "test");
        var batches = new Option<int>("--batches")
        {
            Description = "Timed batches per phase (after a short warm-up).",
            DefaultValueFactory = _ => 50,
        };
        var data = new Option<string?>("--data")
        {
            Description = "Folder with ptb.train.txt, ptb.valid.txt, ptb.test.txt; without it a synthetic stream of 10000 token ids is used.",
        };
        var profile = new Option<bool>("--profile")
        {
            Description = "Also print milliseconds per batch of each phase.",
            Hidden = true,
        };
        var predict = new Option<int>("--predict")
        {
            Description = "Also time this many one-token PredictNext calls (batch 1, one step).",
            Hidden = true,
        };
        var lm = new Command("lm", "Language-model training and evaluation words/second on a preset, with peak memory.");
        lm.Options.Add(preset);
        lm.Options.Add(batches);
        lm.Options.Add(data);
        lm.Options.Add(profile);
        lm.Options.Add(predict);
        lm.SetAction(result =>
        {
            CommandTree.ApplyCommon(result);
            int n = result.GetValue(batches);
            if (n < 1) throw new RecurrentException($"--batches must be at least 1, got {n}.");
            string name = result.GetValue(preset)!;
            string? directory = result.GetValue(data);
            int[]? train = null, valid = null;
            if (directory is not null)
            {
                WordCorpus corpus = WordCorpus.Load(directory);
                if (corpus.Vocabulary.Count != WordModelPresets.Get(name).VocabSize)
                    throw new RecurrentException($"--data {directory}: the vocabulary has {corpus.Vocabulary.Count} words, but the {name} preset expects {WordModelPresets.Get(name).VocabSize}.");
                train = corpus.Train;
                valid = corpus.Valid;
            }
            bool withProfile = result.GetValue(profile);
            var options = new LanguageModelBenchmark.Options(name, n, train, valid);
            foreach (LanguageModelBenchmark.Result r in LanguageModelBenchmark.Run(options, withProfile))
            {
                Console.WriteLine(r.ToJson());
                if (withProfile) Console.WriteLine(r.ProfileJson());
            }
            int tokens = result.GetValue(predict);
            if (tokens > 0)
            {
                var timings = withProfile ? new LanguageModelTimings() : null;
                double rate = LanguageModelBenchmark.MeasurePredictNext(name, tokens, timings);
                if (timings is not null)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{{\"bench\":\"lm-profile\",\"preset\":\"{name}\",\"phase\":\"predict-next\",\"us_per_token\":{{\"Embedding\":{timings.Seconds(LanguageModelPhase.Embedding) * 1e6 / tokens:F1},\"RecurrentForward\":{timings.Seconds(LanguageModelPhase.RecurrentForward) * 1e6 / tokens:F1},\"Projection\":{timings.Seconds(LanguageModelPhase.SoftmaxForward) * 1e6 / tokens:F1},\"Softmax\":{timings.Seconds(LanguageModelPhase.Loss) * 1e6 / tokens:F1}}}}}"));
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"bench\":\"lm\",\"preset\":\"{name}\",\"phase\":\"predict-next\",\"batch_size\":1,\"tokens_per_second\":{rate:F0}}}"));
            }
            return 0;
        });
        return lm;
    }

    private static Command CreateClassify()
    {
        var preset = new Option<string>("--preset") { Description = "Classifier preset: book, tfmi or default.", DefaultValueFactory = _ => "book" };
        var data = new Option<string?>("--data") { Description = "Labelled texts (IMDb's .tar.gz, …); without it a synthetic set with IMDb's lengths and a 100,000-word vocabulary." };
        var batches = new Option<int>("--batches") { Description = "Timed batches per phase.", DefaultValueFactory = _ => 20 };
        var command = new Command("classify", "Training and evaluation tokens per second (padding included) of a classifier preset, one JSON line per phase.");
        command.Options.Add(preset);
        command.Options.Add(data);
        command.Options.Add(batches);
        command.SetAction(parseResult =>
        {
            CommandTree.ApplyCommon(parseResult);
            int n = parseResult.GetValue(batches);
            if (n < 1) throw new RecurrentException($"--batches must be at least 1, got {n}.");
            string name = parseResult.GetValue(preset)!;
            Models.SequenceClassifierConfig config = Models.SequenceClassifierPresets.Get(name) with { Classes = 2 };
            Data.Classification.EncodedExamples train, valid;
            int vocab;
            if (parseResult.GetValue(data) is { } path)
            {
                Data.Classification.ClassificationData read = Data.Classification.ClassificationDataReader.Read(path);
                int[] all = Enumerable.Range(0, read.Train.Count).ToArray();
                Data.Vocabulary vocabulary = Data.Classification.ClassificationVocabulary.Build(read.Train, all, Text.EnglishTokenizer.Tokenize, config.MaxVocab, config.MinCount);
                var encoder = new Data.Classification.TextEncoder(vocabulary, config.MaxLength, config.Truncate);
                train = encoder.Encode(read.Train, read.TrainLabels, all);
                valid = read.Test is null ? train : encoder.Encode(read.Test, read.TestLabels!, Enumerable.Range(0, read.Test.Count).ToArray());
                vocab = vocabulary.Count;
                config = config with { Classes = read.Labels.Count };
            }
            else
            {
                vocab = config.MaxVocab > 0 ? config.MaxVocab + 2 : 100_000;
                int longest = config.MaxLength > 0 ? config.MaxLength : 2500;
                train = Training.ClassifierBenchmark.Synthetic(Math.Max(2000, config.BatchSize * (n + 5)), vocab, Math.Min(10, longest), longest, 21);
                valid = Training.ClassifierBenchmark.Synthetic(Math.Max(1000, config.BatchSize * (n + 5)), vocab, Math.Min(10, longest), longest, 22);
            }
            config = config with { VocabSize = vocab };
            foreach (Training.ClassifierBenchmark.Result r in Training.ClassifierBenchmark.Run(name, config, train, valid, n))
                Console.WriteLine(r.ToJson());
            return 0;
        });
        return command;
    }

    /// <summary>
    /// <c>recurrent bench tag --preset tfmi-ocr|chunk|pos [--data PATH] [--batches N]</c>: training and evaluation
    /// tokens per second (real tokens: letters for OCR) of a tagger preset, on the data's training sentences or a
    /// synthetic set shaped like them; one JSON line per phase.
    /// </summary>
    private static Command CreateTag()
    {
        var preset = new Option<string>("--preset") { Description = $"Tagger preset: {string.Join(", ", SequenceTaggerPresets.Names)}.", DefaultValueFactory = _ => "tfmi-ocr" };
        var data = new Option<string?>("--data") { Description = "Tagged data (letter.data.gz, a CoNLL folder, …): its training sentences are timed; without it a synthetic set shaped like the preset's data." };
        var batches = new Option<int>("--batches") { Description = "Timed batches per phase.", DefaultValueFactory = _ => 100 };
        var command = new Command("tag", "Training and evaluation tokens per second (real tokens, padding excluded) of a tagger preset, one JSON line per phase.");
        command.Options.Add(preset);
        command.Options.Add(data);
        command.Options.Add(batches);
        command.SetAction(parseResult =>
        {
            CommandTree.ApplyCommon(parseResult);
            int n = parseResult.GetValue(batches);
            if (n < 1) throw new RecurrentException($"--batches must be at least 1, got {n}.");
            string name = parseResult.GetValue(preset)!;
            SequenceTaggerConfig config = SequenceTaggerPresets.Get(name);
            IReadOnlyList<Data.Labelling.LabelledSentence> train, valid;
            if (parseResult.GetValue(data) is { } path)
            {
                Data.Labelling.TaggingSplits splits = Data.Labelling.TaggingSplits.Load(path, config.ReadOptions(), config.SplitOptions());
                train = splits.Train;
                valid = splits.Dev;
            }
            else
            {
                int count = Math.Max(1000, config.BatchSize * (n + 5));
                train = TaggerBenchmark.Synthetic(config, count, 21);
                valid = TaggerBenchmark.Synthetic(config, count, 22);
            }
            foreach (TaggerBenchmark.Result r in TaggerBenchmark.Run(name, config, train, valid, n))
                Console.WriteLine(r.ToJson());
            return 0;
        });
        return command;
    }
}
