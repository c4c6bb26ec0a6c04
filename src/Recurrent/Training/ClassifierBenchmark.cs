using System.Diagnostics;
using System.Globalization;
using Recurrent.Data.Classification;
using Recurrent.Models;
using Recurrent.Optimizers;
using Recurrent.Tensors;

namespace Recurrent.Training;

/// <summary>
/// The timing loop behind <c>recurrent bench classify</c>: tokens per second of a classifier preset in training
/// (exactly the trainer's step on the task's bucketed batches) and in evaluation, on real examples or a synthetic
/// set with IMDb's shape (Zipf-distributed ids, review lengths spread like IMDb's).
/// </summary>
internal static class ClassifierBenchmark
{
    /// <summary>One measured phase. Tokens count every processed step, padding included, as the PyTorch peer counts them.</summary>
    public sealed record Result(string Preset, string Phase, int BatchSize, int Batches, double TokensPerSecond, double PeakRssMb, long AllocatedBytesPerBatch, double CpuSeconds, double Seconds)
    {
        public string ToJson() => string.Create(CultureInfo.InvariantCulture,
            $"{{\"bench\":\"classify\",\"preset\":\"{Preset}\",\"phase\":\"{Phase}\",\"batch_size\":{BatchSize},\"batches\":{Batches},\"tokens_per_second\":{TokensPerSecond:F0},\"peak_rss_mb\":{PeakRssMb:F1},\"allocated_bytes_per_batch\":{AllocatedBytesPerBatch},\"cpu_ms_per_batch\":{CpuSeconds * 1000 / Batches:F2},\"wall_ms_per_batch\":{Seconds * 1000 / Batches:F2}}}");
    }

    /// <summary>Synthetic examples: lengths log-uniform in [lengthMin, lengthMax], ids Zipf over the vocabulary, labels alternating.</summary>
    public static EncodedExamples Synthetic(int count, int vocab, int lengthMin, int lengthMax, ulong seed)
    {
        var random = new RandomGenerator(seed);
        var sequences = new List<int[]>(count);
        var labels = new int[count];
        double logV = Math.Log(vocab - 2), logMin = Math.Log(lengthMin), logMax = Math.Log(lengthMax);
        for (int i = 0; i < count; i++)
        {
            int length = (int)Math.Exp(logMin + random.NextDouble() * (logMax - logMin));
            var tokens = new int[length];
            for (int t = 0; t < length; t++) tokens[t] = 2 + Math.Clamp((int)Math.Exp(random.NextDouble() * logV) - 1, 0, vocab - 3);
            sequences.Add(tokens);
            labels[i] = i % 2;
        }
        return EncodedExamples.FromSequences(sequences, labels);
    }

    /// <summary>Times <paramref name="batches"/> training steps and as many evaluation batches, after a warm-up.</summary>
    public static IReadOnlyList<Result> Run(string preset, SequenceClassifierConfig config, EncodedExamples train, EncodedExamples valid, int batches, int warmup = 3)
    {
        var model = new SequenceClassifier(config);
        string[] labels = Enumerable.Range(0, config.Classes).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        var task = new SequenceClassifierTask(model, train, valid, labels, "[]");
        Optimizer optimizer = task.Settings.CreateOptimizer();
        optimizer.EnsureState(model.TrainableParameters);
        task.StartEpoch(0);
        int next = 0;
        long tokens = 0;
        void TrainOne()
        {
            (BatchLoss loss, double norm) = Trainer.Step(task, optimizer, 0, next);
            if (!double.IsFinite(loss.Loss) || !double.IsFinite(norm)) throw new RecurrentException($"Benchmark training diverged (loss {loss.Loss}).");
            tokens += loss.Items;
            next = (next + 1) % task.BatchCount;
        }
        Result training = Time(preset, "train", config.BatchSize, batches, warmup, TrainOne, () => tokens, () => tokens = 0);

        var batcher = new SequenceBatcher(valid, SequenceClassifierTask.BatcherOptions(config));
        SequenceBatch batch = batcher.CreateBatch();
        var probabilities = new float[batch.MaxSize * config.Classes];
        int nextEval = 0;
        long evalTokens = 0;
        void EvaluateOne()
        {
            batcher.Fill(nextEval, batch);
            model.Evaluate(batch.Tokens, batch.Steps, batch.Size, config.LeftPad ? default : batch.Lengths, batch.Labels, probabilities);
            evalTokens += batch.TotalSteps;
            nextEval = (nextEval + 1) % batcher.BatchCount;
        }
        Result evaluation = Time(preset, "eval", config.BatchSize, batches, warmup, EvaluateOne, () => evalTokens, () => evalTokens = 0);
        return [training, evaluation];
    }

    private static Result Time(string preset, string phase, int batchSize, int batches, int warmup, Action one, Func<long> tokens, Action reset)
    {
        for (int i = 0; i < warmup; i++) one();
        reset();
        TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < batches; i++) one();
        double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        return new Result(preset, phase, batchSize, batches, tokens() / seconds, LanguageModelBenchmark.PeakRssMb(), allocated / Math.Max(1, batches), cpu, seconds);
    }
}
