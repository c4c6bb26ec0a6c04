using System.Diagnostics;
using System.Globalization;
using System.Text;
using Recurrent.Data;
using Recurrent.Layers;
using Recurrent.Models;
using Recurrent.Optimizers;
using Recurrent.Tensors;

namespace Recurrent.Training;

/// <summary>
/// The timing loop behind <c>recurrent bench lm</c>: words per second of a preset language model in training
/// (exactly the trainer's step: zero gradients, <see cref="LanguageModel.TrainBatch"/>, clipping by global norm,
/// SGD step) and in evaluation (<see cref="LanguageModel.EvaluateBatch"/>), on real PTB batches or a synthetic
/// stream with the same vocabulary size.
/// </summary>
internal static class LanguageModelBenchmark
{
    /// <summary>What to run.</summary>
    /// <param name="Preset">Name from <see cref="WordModelPresets"/>.</param>
    /// <param name="Batches">Timed batches per phase (after <paramref name="WarmupBatches"/> untimed ones).</param>
    /// <param name="Train">Training stream; null for a synthetic one.</param>
    /// <param name="Valid">Evaluation stream; null for a synthetic one.</param>
    public sealed record Options(string Preset, int Batches = 50, int[]? Train = null, int[]? Valid = null, int WarmupBatches = 5, int EvalBatchSize = 20);

    /// <summary>One measured phase.</summary>
    public sealed record Result(string Preset, string Phase, int BatchSize, int Steps, int Batches, double WordsPerSecond, double PeakRssMb,
        LanguageModelTimings Timings, double Seconds, long AllocatedBytesPerBatch, double CpuSeconds)
    {
        /// <summary>The JSON line of <c>recurrent bench lm</c>.</summary>
        public string ToJson() => string.Create(CultureInfo.InvariantCulture,
            $"{{\"bench\":\"lm\",\"preset\":\"{Preset}\",\"phase\":\"{Phase}\",\"batch_size\":{BatchSize},\"steps\":{Steps},\"batches\":{Batches},\"words_per_second\":{WordsPerSecond:F0},\"peak_rss_mb\":{PeakRssMb:F1},\"allocated_bytes_per_batch\":{AllocatedBytesPerBatch},\"cpu_ms_per_batch\":{CpuSeconds * 1000 / Batches:F2},\"wall_ms_per_batch\":{Seconds * 1000 / Batches:F2}}}");

        /// <summary>Milliseconds per batch of each phase, as one JSON line (the <c>--profile</c> output).</summary>
        public string ProfileJson()
        {
            var sb = new StringBuilder();
            sb.Append(CultureInfo.InvariantCulture, $"{{\"bench\":\"lm-profile\",\"preset\":\"{Preset}\",\"phase\":\"{Phase}\",\"ms_per_batch\":{{");
            double accounted = 0;
            bool first = true;
            foreach (LanguageModelPhase p in Enum.GetValues<LanguageModelPhase>())
            {
                double s = Timings.Seconds(p);
                if (s == 0) continue;
                accounted += s;
                sb.Append(CultureInfo.InvariantCulture, $"{(first ? "" : ",")}\"{p}\":{s * 1000 / Batches:F3}");
                first = false;
            }
            sb.Append(CultureInfo.InvariantCulture, $",\"other\":{(Seconds - accounted) * 1000 / Batches:F3},\"total\":{Seconds * 1000 / Batches:F3}}}}}");
            return sb.ToString();
        }
    }

    /// <summary>A reproducible synthetic token stream: Zipf-like ids in [0, vocab), so embedding rows repeat as in text.</summary>
    public static int[] SyntheticTokens(int length, int vocab, ulong seed)
    {
        var random = new RandomGenerator(seed);
        var tokens = new int[length];
        double logV = Math.Log(vocab);
        for (int i = 0; i < length; i++)
        {
            // id = floor(exp(u·log V)) − 1 has probability ∝ 1/(id+1): a Zipf law over the vocabulary.
            int id = (int)Math.Exp(random.NextDouble() * logV) - 1;
            tokens[i] = Math.Clamp(id, 0, vocab - 1);
        }
        return tokens;
    }

    /// <summary>Runs the training phase then the evaluation phase; <paramref name="profile"/> attaches per-phase timings.</summary>
    public static IReadOnlyList<Result> Run(Options options, bool profile = false)
    {
        LanguageModelConfig config = WordModelPresets.Get(options.Preset);
        var model = new LanguageModel(config);
        int vocab = config.VocabSize;
        int[] train = options.Train ?? SyntheticTokens(200_000, vocab, 11);
        int[] valid = options.Valid ?? SyntheticTokens(80_000, vocab, 12);
        return [MeasureTraining(model, train, options, profile), MeasureEvaluation(model, valid, options, profile)];
    }

    private static Result MeasureTraining(LanguageModel model, int[] tokens, Options options, bool profile)
    {
        LanguageModelConfig config = model.Config;
        // The trainer's own task and step, over the given stream (no validation data is needed to time training).
        var task = new LanguageModelTask("word", model, "[]", tokens, tokens);
        Optimizer optimizer = task.Settings.CreateOptimizer();
        optimizer.EnsureState(model.Parameters);
        var timings = new LanguageModelTimings();
        int next = 0;

        void TrainOne()
        {
            (BatchLoss loss, double norm) = Trainer.Step(task, optimizer, 0, next);
            next = (next + 1) % task.BatchCount;
            if (next == 0) task.StartEpoch(0);
            if (!double.IsFinite(loss.Loss) || !double.IsFinite(norm)) throw new RecurrentException($"Benchmark training diverged (loss {loss.Loss}, gradient norm {norm}).");
        }

        return Time(model, TrainOne, "train", config.BatchSize, config.NumSteps, options, timings, profile);
    }

    private static Result MeasureEvaluation(LanguageModel model, int[] tokens, Options options, bool profile)
    {
        LanguageModelConfig config = model.Config;
        int batchSize = options.EvalBatchSize, steps = config.NumSteps;
        var batches = new TokenBatches(tokens, batchSize, steps);
        var inputs = new int[steps * batchSize];
        var targets = new int[steps * batchSize];
        RecurrentState state = model.CreateState(batchSize);
        var timings = new LanguageModelTimings();
        int next = 0;

        void EvaluateOne()
        {
            batches.GetBatch(next, inputs, targets);
            next = (next + 1) % batches.Count;
            if (next == 0) state.Clear();
            double loss = model.EvaluateBatch(inputs, targets, steps, batchSize, state);
            if (!double.IsFinite(loss)) throw new RecurrentException($"Benchmark evaluation gave a loss of {loss}.");
        }

        return Time(model, EvaluateOne, "eval", batchSize, steps, options, timings, profile);
    }

    /// <summary>
    /// Runs <paramref name="batch"/> for the warm-up, then times <c>options.Batches</c> calls: wall time, the process's
    /// CPU time and the bytes allocated on this thread, with the model's phase timings on when profiling.
    /// </summary>
    private static Result Time(LanguageModel model, Action batch, string phase, int batchSize, int steps, Options options, LanguageModelTimings timings, bool profile)
    {
        for (int i = 0; i < options.WarmupBatches; i++) batch();
        model.Timings = profile ? timings : null;
        TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < options.Batches; i++) batch();
        double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        model.Timings = null;
        double words = (double)options.Batches * steps * batchSize;
        return new Result(options.Preset, phase, batchSize, steps, options.Batches, words / seconds, PeakRssMb(), timings, seconds,
            allocated / Math.Max(1, options.Batches), cpu);
    }

    /// <summary>
    /// Tokens per second of <see cref="LanguageModel.PredictNext"/> fed one token at a time (batch 1, one step),
    /// as generation and interactive scoring use it.
    /// </summary>
    public static double MeasurePredictNext(string preset, int tokens, LanguageModelTimings? timings = null)
    {
        LanguageModelConfig config = WordModelPresets.Get(preset);
        var model = new LanguageModel(config);
        RecurrentState state = model.CreateState(1);
        var probabilities = new float[config.VocabSize];
        int[] stream = SyntheticTokens(tokens + 100, config.VocabSize, 13);
        for (int i = 0; i < 100; i++) model.PredictNext(stream.AsSpan(i, 1), state, probabilities);
        model.Timings = timings;
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < tokens; i++) model.PredictNext(stream.AsSpan(100 + i, 1), state, probabilities);
        double rate = tokens / Stopwatch.GetElapsedTime(t0).TotalSeconds;
        model.Timings = null;
        return rate;
    }

    /// <summary>Peak resident set of this process in MB: VmHWM from /proc/self/status on Linux, else the peak working set.</summary>
    public static double PeakRssMb()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
                string[] parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                return double.Parse(parts[1], CultureInfo.InvariantCulture) / 1024;
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
    }
}
