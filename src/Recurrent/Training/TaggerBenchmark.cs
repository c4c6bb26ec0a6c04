using System.Diagnostics;
using System.Globalization;
using Recurrent.Data.Labelling;
using Recurrent.Models;
using Recurrent.Optimizers;
using Recurrent.Tensors;

namespace Recurrent.Training;

/// <summary>
/// The timing loop behind <c>recurrent bench tag</c>: real (unpadded) tokens per second of a tagger preset in
/// training (exactly the trainer's step on the task's bucketed batches) and in evaluation (forward and decoding),
/// on real sentences or a synthetic set shaped like the preset's data.
/// </summary>
internal static class TaggerBenchmark
{
    /// <summary>One measured phase. Tokens are real tokens (letters for OCR), padding excluded, as the PyTorch OCR peer counts letters.</summary>
    public sealed record Result(string Preset, string Phase, int BatchSize, int Batches, long Tokens, double TokensPerSecond, double PeakRssMb, long AllocatedBytesPerBatch, double CpuSeconds, double Seconds)
    {
        public string ToJson() => string.Create(CultureInfo.InvariantCulture,
            $"{{\"bench\":\"tag\",\"preset\":\"{Preset}\",\"phase\":\"{Phase}\",\"batch_size\":{BatchSize},\"batches\":{Batches},\"tokens\":{Tokens},\"tokens_per_second\":{TokensPerSecond:F0},\"peak_rss_mb\":{PeakRssMb:F1},\"allocated_bytes_per_batch\":{AllocatedBytesPerBatch},\"cpu_ms_per_batch\":{CpuSeconds * 1000 / Batches:F2},\"wall_ms_per_batch\":{Seconds * 1000 / Batches:F2}}}");
    }

    /// <summary>
    /// Synthetic sentences for <paramref name="config"/>: OCR-like words (3–14 frames of 128 random pixels, 22 % ink,
    /// random letters) for frame models; otherwise sentences of 5–40 tokens drawn Zipf-like from 20,000 made-up
    /// words, a POS-like feature column of 40 values, and valid BIO chunk tags (chunk encodings) or one of 17 tags.
    /// </summary>
    public static List<LabelledSentence> Synthetic(SequenceTaggerConfig config, int count, ulong seed)
    {
        var random = new RandomGenerator(seed);
        var sentences = new List<LabelledSentence>(count);
        if (config.FrameSize > 0)
        {
            for (int i = 0; i < count; i++)
            {
                int length = 3 + random.NextInt(12);
                var frames = new float[length * config.FrameSize];
                for (int p = 0; p < frames.Length; p++) frames[p] = random.NextDouble() < 0.22 ? 1f : 0f;
                var tags = new string[length];
                for (int t = 0; t < length; t++) tags[t] = ((char)('a' + random.NextInt(26))).ToString();
                sentences.Add(new LabelledSentence(frames, config.FrameSize, tags));
            }
            return sentences;
        }
        const int words = 20_000;
        var lexicon = new string[words];
        for (int w = 0; w < words; w++)
        {
            var chars = new char[2 + random.NextInt(9)];
            for (int c = 0; c < chars.Length; c++) chars[c] = (char)('a' + random.NextInt(26));
            if (random.NextInt(5) == 0) chars[0] = char.ToUpperInvariant(chars[0]);
            lexicon[w] = new string(chars);
        }
        string[] types = ["NP", "VP", "PP", "ADVP"];
        double logWords = Math.Log(words);
        for (int i = 0; i < count; i++)
        {
            int length = 5 + random.NextInt(36);
            var tokens = new string[length];
            var pos = new string[length];
            var tags = new string[length];
            string? open = null;
            for (int t = 0; t < length; t++)
            {
                tokens[t] = lexicon[Math.Clamp((int)Math.Exp(random.NextDouble() * logWords) - 1, 0, words - 1)];
                pos[t] = "P" + random.NextInt(40).ToString(CultureInfo.InvariantCulture);
                if (config.TagEncoding == TagEncoding.None) tags[t] = "T" + random.NextInt(17).ToString(CultureInfo.InvariantCulture);
                else
                {
                    int r = random.NextInt(3);
                    if (r == 0 || (r == 1 && open is null)) { open = types[random.NextInt(types.Length)]; tags[t] = "B-" + open; }
                    else if (r == 1) tags[t] = "I-" + open;
                    else { open = null; tags[t] = "O"; }
                }
            }
            sentences.Add(new LabelledSentence(tokens, tags, [pos]));
        }
        return sentences;
    }

    /// <summary>Times <paramref name="batches"/> training steps and as many evaluation batches, after a warm-up.</summary>
    public static IReadOnlyList<Result> Run(string preset, SequenceTaggerConfig config, IReadOnlyList<LabelledSentence> train, IReadOnlyList<LabelledSentence> valid, int batches, int warmup = 3)
    {
        (SequenceTagger model, TaggingVocabularies vocabularies) = SequenceTaggerTask.CreateModel(config, train, valid);
        var task = new SequenceTaggerTask(model, vocabularies, vocabularies.Encode(train), vocabularies.Encode(valid));
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
        Result training = Time(preset, "train", model.Config.BatchSize, batches, warmup, TrainOne, () => tokens, () => tokens = 0);

        var batcher = new TaggingBatcher(vocabularies.Encode(valid), model.Config.BatchSize);
        TaggingBatch batch = batcher.CreateBatch();
        var predicted = new int[batch.MaxSize * batch.MaxSteps];
        int nextEval = 0;
        long evalTokens = 0;
        void EvaluateOne()
        {
            batcher.Fill(nextEval, batch);
            model.Evaluate(batch, predicted);
            evalTokens += batch.RealTokens;
            nextEval = (nextEval + 1) % batcher.BatchCount;
        }
        Result evaluation = Time(preset, "eval", model.Config.BatchSize, batches, warmup, EvaluateOne, () => evalTokens, () => evalTokens = 0);
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
        return new Result(preset, phase, batchSize, batches, tokens(), tokens() / seconds, LanguageModelBenchmark.PeakRssMb(), allocated / Math.Max(1, batches), cpu, seconds);
    }
}
