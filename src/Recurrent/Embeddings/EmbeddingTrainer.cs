using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Recurrent.Tensors;

namespace Recurrent.Embeddings;

/// <summary>
/// Trains word vectors on a text: word2vec's skip-gram or CBOW with negative sampling, or TensorFlow for Machine
/// Intelligence's skip-gram with NCE. This is the second pass over the text (the first counted the words,
/// <see cref="EmbeddingVocabulary.FromText"/>), repeated for each epoch.
/// </summary>
/// <remarks>
/// <para>Threads: the text is cut into chunks of about <see cref="ChunkWords"/> words (plain text at byte offsets,
/// compressed text at word counts, so each word belongs to exactly one chunk), and each of
/// <see cref="EmbeddingOptions.Threads"/> dedicated threads takes every T-th chunk, in order, so that the threads
/// always train on neighbouring stretches of the text, as gensim's workers do. (word2vec.c gives each thread a
/// contiguous share of the text; on the text8 prefix with two threads that scored about 0.4 points lower on the
/// analogy questions, docs/results/embeddings.md.) Each thread has its own random stream and updates the shared
/// weight arrays without locks
/// (Hogwild, Recht et al. 2011). With one thread a run is reproducible bit for bit from its seed.</para>
/// <para>Reading: words are looked up as bytes; left-out words are skipped (or become <c>&lt;unk&gt;</c>), frequent
/// words are subsampled (<see cref="Subsampling"/>), and a sentence ends at a line feed or after
/// <see cref="MaxSentenceLength"/> kept words, like word2vec's. Each sentence is then walked with the dynamic
/// window (<see cref="ContextWindow"/>). After each sentence a thread adds its counts to the shared ones and, for
/// negative sampling, takes the learning rate for the words read so far (<see cref="LinearDecay"/>).</para>
/// <para>Initial weights: for negative sampling the input vectors are uniform in ±<see cref="EmbeddingOptions.InitialRange"/>/size
/// (16 by default; gensim 4 draws ±1/size and word2vec.c ±0.5/size, which learn more slowly from a small text) and the
/// output vectors 0; for NCE, TensorFlow for Machine Intelligence's uniform(−1, 1) embeddings, truncated-normal(1/√size)
/// weights and zero biases.</para>
/// </remarks>
public sealed class EmbeddingTrainer
{
    /// <summary>word2vec's MAX_SENTENCE_LENGTH: a longer run of kept words is cut into sentences of this length.</summary>
    public const int MaxSentenceLength = 1000;

    private readonly CorpusFile _text;
    private readonly EmbeddingVocabulary _vocabulary;
    private readonly EmbeddingOptions _options;
    private readonly ulong[] _keep;
    private long _wordsDone, _tokensRead;
    private float _learningRate;
    private double _loss = double.NaN;

    /// <summary>A trainer over <paramref name="text"/>, whose words were counted into <paramref name="vocabulary"/>.</summary>
    /// <exception cref="RecurrentException">The options are out of range, or the vectors would not fit in one array.</exception>
    public EmbeddingTrainer(CorpusFile text, EmbeddingVocabulary vocabulary, EmbeddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.Loss == EmbeddingLoss.Nce && options.Negative > vocabulary.Count)
            throw new RecurrentException($"--negative {options.Negative}: NCE draws distinct noise words per batch, but the vocabulary has only {vocabulary.Count}.");
        // Before the vectors are allocated (Train): a size the machine cannot hold is refused with figures.
        Models.MemoryBudget.Require(Models.MemoryEstimate.For(options, vocabulary.Count));
        _text = text;
        _vocabulary = vocabulary;
        _options = options;
        _keep = Subsampling.Thresholds(vocabulary.Counts, vocabulary.TrainWords, options.Sample);
        _learningRate = options.EffectiveLearningRate;
    }

    /// <summary>Runs the training on the calling thread's behalf and returns the input vectors.</summary>
    /// <param name="cancellation">Stops every thread after its current sentence; the vectors so far are returned.</param>
    /// <param name="progress">Called on the calling thread every <paramref name="progressInterval"/> (default 0.5 s) and once at the end.</param>
    /// <exception cref="RecurrentException">The text cannot be read (from any thread).</exception>
    public EmbeddingResult Train(CancellationToken cancellation = default, Action<EmbeddingProgress>? progress = null, TimeSpan? progressInterval = null)
    {
        EmbeddingOptions o = _options;
        int v = _vocabulary.Count, d = o.Dimension;
        var init = new RandomGenerator(o.Seed);
        float[] input, output = [];
        NceWeights? nce = null;
        NoiseDistribution? noise = null;
        if (o.Loss == EmbeddingLoss.Nce)
        {
            nce = new NceWeights(v, d);
            init.FillUniform(nce.Embeddings, -1f, 1f);               // tf.random_uniform([V, D], -1, 1)
            TruncatedNormal(nce.Weights, 1f / MathF.Sqrt(d), init);  // tf.truncated_normal(stddev = 1/√D)
            input = nce.Embeddings;
        }
        else
        {
            input = new float[v * d];
            output = new float[v * d];
            // uniform(±InitialRange/size): word2vec's ±0.5/size and gensim's ±1/size leave the vectors so near the
            // origin that a short run spends much of its time leaving it (EmbeddingOptions.InitialRange).
            init.FillUniform(input, -o.InitialRange / d, o.InitialRange / d);
            noise = new NoiseDistribution(_vocabulary.Counts);
        }

        _wordsDone = 0;
        _tokensRead = 0;
        _loss = double.NaN;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        ExceptionDispatchInfo? failure = null;
        using var finished = new CountdownEvent(o.Threads);
        var clock = Stopwatch.StartNew();
        var threads = new Thread[o.Threads];
        for (int t = 0; t < o.Threads; t++)
        {
            int id = t;
            threads[t] = new Thread(() =>
            {
                try
                {
                    var random = new RandomBox(FastRandom.Derive(o.Seed, (ulong)id + 1));
                    if (nce is not null)
                    {
                        var worker = new NceWorker(nce, new NceBatch(d, o.BatchSize, o.Negative, v), new LogUniformSampler(v), o.Momentum, random,
                            loss => Volatile.Write(ref _loss, loss));
                        RunThread(id, ref worker, stop.Token);
                    }
                    else if (o.Cbow)
                    {
                        var worker = new CbowWorker(input, output, d, o.Negative, noise!, random);
                        RunThread(id, ref worker, stop.Token);
                    }
                    else
                    {
                        var worker = new SkipGramWorker(input, output, d, o.Window, o.Negative, noise!, random);
                        RunThread(id, ref worker, stop.Token);
                    }
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(e), null);
                    stop.Cancel();
                }
                finally
                {
                    finished.Signal();
                }
            })
            { IsBackground = true, Name = $"embedding-{id}" };
        }
        foreach (Thread thread in threads) thread.Start();
        TimeSpan interval = progressInterval ?? TimeSpan.FromSeconds(0.5);
        while (!finished.Wait(interval)) progress?.Invoke(Snapshot(clock.Elapsed));
        foreach (Thread thread in threads) thread.Join();
        failure?.Throw();

        EmbeddingProgress final = Snapshot(clock.Elapsed);
        progress?.Invoke(final);
        return new EmbeddingResult(new WordVectors(_vocabulary.Words, input, d), !cancellation.IsCancellationRequested, final);
    }

    private EmbeddingProgress Snapshot(TimeSpan elapsed)
    {
        double loss = Volatile.Read(ref _loss);
        return new EmbeddingProgress(Interlocked.Read(ref _wordsDone), (long)_options.Epochs * _vocabulary.TrainWords, Interlocked.Read(ref _tokensRead),
            Volatile.Read(ref _learningRate), elapsed, double.IsNaN(loss) ? null : loss);
    }

    /// <summary>One thread: every epoch, its slice of the text, sentence by sentence.</summary>
    private void RunThread<TWorker>(int id, ref TWorker worker, CancellationToken stop) where TWorker : struct, IEmbeddingWorker
    {
        EmbeddingOptions o = _options;
        bool decay = o.Loss == EmbeddingLoss.NegativeSampling;
        bool subsample = o.Sample > 0;
        long total = (long)o.Epochs * _vocabulary.TrainWords;
        float initialRate = o.EffectiveLearningRate;
        worker.LearningRate = decay ? LinearDecay.At(initialRate, Interlocked.Read(ref _wordsDone), total) : initialRate;
        var sentence = new int[MaxSentenceLength];
        ulong[] keep = _keep;
        for (int epoch = 0; epoch < o.Epochs; epoch++)
        {
            using ChunkReader reader = OpenChunks(id, o.Threads);
            int length = 0;
            long words = 0, tokens = 0;
            while (true)
            {
                WordToken token = reader.Read(out ReadOnlySpan<byte> word);
                if (token == WordToken.Word)
                {
                    tokens++;
                    int w = _vocabulary.Lookup(word);
                    if (w < 0) continue;
                    words++;
                    if (subsample && (worker.Random.Next() >> 32) >= keep[w]) continue;
                    sentence[length++] = w;
                    if (length < MaxSentenceLength) continue;
                }
                else if (token == WordToken.LineEnd && length == 0) continue;

                // A sentence is complete (line end, full, or end of slice): train on it, then publish the counts.
                TrainSentence(sentence.AsSpan(0, length), o.Window, ref worker);
                length = 0;
                long done = Interlocked.Add(ref _wordsDone, words);
                Interlocked.Add(ref _tokensRead, tokens);
                words = tokens = 0;
                if (decay)
                {
                    float rate = LinearDecay.At(initialRate, done, total);
                    worker.LearningRate = rate;
                    Volatile.Write(ref _learningRate, rate);
                }
                if (stop.IsCancellationRequested) return;
                if (token == WordToken.End) break;
            }
            worker.EndOfPass();
        }
    }

    /// <summary>
    /// One sentence through the worker. Kept out of <see cref="RunThread"/>, which runs once per thread and so would
    /// only ever be compiled by on-stack replacement; called per sentence, this is compiled fully, with profile data.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void TrainSentence<TWorker>(ReadOnlySpan<int> sentence, int window, ref TWorker worker) where TWorker : struct, IEmbeddingWorker =>
        ContextWindow.Walk(sentence, window, ref worker.Random, ref worker);

    /// <summary>Words per chunk of the text that the threads take in turn (gensim's jobs are 10,000 words).</summary>
    internal const long ChunkWords = 50_000;

    /// <summary>
    /// Thread <paramref name="id"/>'s chunks of the text: chunks id, id + T, id + 2T, … of K = T·⌈N / (T·ChunkWords)⌉,
    /// so that at any moment the threads train on neighbouring stretches of the text, in order, as gensim's workers
    /// do, rather than each on its own half. A chunk ends a sentence.
    /// </summary>
    private ChunkReader OpenChunks(int id, int threads)
    {
        long perThread = Math.Max(1, (_vocabulary.CorpusWords + (long)threads * ChunkWords - 1) / ((long)threads * ChunkWords));
        return new ChunkReader(this, id, threads, perThread * threads);
    }

    /// <summary>Reads chunk <c>id</c>, then <c>id + step</c>, … of <c>count</c> chunks (see <see cref="OpenChunks"/>); a line end separates chunks.</summary>
    private sealed class ChunkReader(EmbeddingTrainer trainer, int id, int step, long count) : IDisposable
    {
        private long _chunk = id;
        private SliceReader? _slice;
        private WordReader? _stream;   // compressed text: one reader, skipped forward from chunk to chunk
        private long _position;        // compressed text: words of the stream read or skipped so far

        public WordToken Read(out ReadOnlySpan<byte> word)
        {
            while (true)
            {
                if (_slice is null)
                {
                    if (_chunk >= count) { word = default; return WordToken.End; }
                    _slice = Open(_chunk);
                }
                WordToken token = _slice.Read(out word);
                if (token != WordToken.End) return token;
                if (_stream is null) _slice.Dispose();
                _slice = null;
                _chunk += step;
                if (_chunk < count) { word = default; return WordToken.LineEnd; }
            }
        }

        private SliceReader Open(long chunk)
        {
            CorpusFile text = trainer._text;
            if (text.Format == CorpusFormat.Plain)
            {
                long length = text.Length;
                long start = length * chunk / count, end = length * (chunk + 1) / count;
                long open = Math.Max(0, start - 1);
                return new SliceReader(new WordReader(text.OpenPlainAt(open), text.Path, open, 1 << 16), start, end, -1);
            }
            long words = trainer._vocabulary.CorpusWords;
            long first = words * chunk / count, last = words * (chunk + 1) / count;
            _stream ??= new WordReader(text.OpenText(), text.Path, 0, 1 << 20);
            _stream.SkipWords(first - _position);
            _position = last;
            return new SliceReader(_stream, 0, long.MaxValue, last - first);
        }

        public void Dispose()
        {
            if (_stream is null) _slice?.Dispose();
            _stream?.Dispose();
        }
    }

    /// <summary>A <see cref="WordReader"/> limited to the words that start in [start, end) and, when counted, to a number of words.</summary>
    private sealed class SliceReader(WordReader reader, long start, long end, long words) : IDisposable
    {
        private long _left = words;

        public WordToken Read(out ReadOnlySpan<byte> word)
        {
            while (true)
            {
                // Checked before reading, so that a counted slice leaves the stream just after its last word.
                if (_left == 0) { word = default; return WordToken.End; }
                WordToken token = reader.Read(out word);
                if (token != WordToken.Word) return token;
                if (reader.WordOffset < start) continue;
                if (reader.WordOffset >= end) return WordToken.End;
                if (_left > 0) _left--;
                return token;
            }
        }

        public void Dispose() => reader.Dispose();
    }

    /// <summary>TensorFlow's truncated normal: normal samples, redrawn while more than two standard deviations from 0.</summary>
    private static void TruncatedNormal(Span<float> values, float standardDeviation, RandomGenerator random)
    {
        for (int i = 0; i < values.Length; i++)
        {
            double x;
            do x = random.NextNormal(); while (Math.Abs(x) > 2);
            values[i] = (float)(x * standardDeviation);
        }
    }
}
