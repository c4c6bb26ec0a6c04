using Recurrent.Data;
using Recurrent.Layers;
using Recurrent.Tensors;
using Recurrent.Training;
using Recurrent.Training.Distributed;

namespace Recurrent.Models;

/// <summary>
/// Language modelling as a <see cref="Trainer"/> task, as ptb_word_lm.py trains it: truncated BPTT over the
/// training stream cut into <c>batch_size</c> rows (<see cref="TokenBatches"/>), the recurrent state carried from
/// batch to batch within an epoch and cleared at its start, the loss summed over time steps and averaged over the
/// batch; validation is the stream's cross-entropy with the state carried through it. Word and character models
/// are the same task with different vocabularies.
/// </summary>
/// <remarks>
/// Split over processes (<see cref="IShardedTask"/>), each computes a contiguous range of the batch's rows (streams)
/// and carries only their state; the loss is still averaged over all <c>batch_size</c> rows, and checkpoints hold the
/// whole batch's state, gathered from the shards, so a run can resume on any number of processes.
/// </remarks>
public sealed class LanguageModelTask : IShardedTask
{
    private readonly ReadOnlyMemory<int> _train, _valid;
    private readonly ReadOnlyMemory<int>? _test;
    private readonly TokenBatches? _batches;
    private RecurrentState _state;
    private int[] _inputs, _targets;
    private readonly Dictionary<string, string> _metadata;
    private BatchShard _shard = BatchShard.Whole;
    private int _firstRow, _rows;
    private List<Tensor> _localState, _wholeState;

    /// <param name="kind"><c>word</c> or <c>char</c>.</param>
    /// <param name="vocabularyJson">The vocabulary as JSON, stored in every checkpoint.</param>
    /// <param name="test">The test stream, checked before training starts (it is scored after training, not here).</param>
    /// <param name="presentation">How numbers are shown; by default perplexity for words and bits for characters.</param>
    public LanguageModelTask(string kind, LanguageModel model, string vocabularyJson, int[] train, int[] valid, int[]? test = null, TaskPresentation? presentation = null)
        : this(kind, model, vocabularyJson, new ReadOnlyMemory<int>(train), new ReadOnlyMemory<int>(valid), test is null ? (ReadOnlyMemory<int>?)null : new ReadOnlyMemory<int>(test), presentation)
    {
    }

    /// <param name="kind"><c>word</c> or <c>char</c>.</param>
    /// <param name="vocabularyJson">The vocabulary as JSON, stored in every checkpoint.</param>
    /// <param name="train">The training stream: an array, or ids mapped from a file (<see cref="MappedTokens"/>).</param>
    /// <param name="test">The test stream, checked before training starts (it is scored after training, not here).</param>
    /// <param name="presentation">How numbers are shown; by default perplexity for words and bits for characters.</param>
    public LanguageModelTask(string kind, LanguageModel model, string vocabularyJson, ReadOnlyMemory<int> train, ReadOnlyMemory<int> valid, ReadOnlyMemory<int>? test = null, TaskPresentation? presentation = null)
    {
        Kind = kind;
        Language = model;
        _train = train;
        _valid = valid;
        _test = test;
        LanguageModelConfig config = model.Config;
        _metadata = new Dictionary<string, string> { [ModelCheckpoint.VocabularyKey] = vocabularyJson };
        _rows = config.BatchSize;
        _state = model.CreateState(config.BatchSize);
        _localState = _wholeState = LanguageModel.StateTensors(_state);
        _inputs = new int[config.NumSteps * config.BatchSize];
        _targets = new int[config.NumSteps * config.BatchSize];
        if (train.Length / config.BatchSize > config.NumSteps) _batches = new TokenBatches(train, config.BatchSize, config.NumSteps);
        Settings = config.TrainingSettings();
        string cell = config.Cell.ToString().ToUpperInvariant();
        Presentation = presentation ?? (kind == "char"
            ? new TaskPresentation("chars", LossDisplay.Bits, $"char model: {config.NumLayers} × {config.HiddenSize} {cell}", [])
            : new TaskPresentation("words", LossDisplay.Perplexity, $"{kind} model: {config.NumLayers} × {config.HiddenSize} {cell}", []));
    }

    /// <inheritdoc/>
    public string Kind { get; }

    /// <summary>The model, typed.</summary>
    public LanguageModel Language { get; }

    /// <inheritdoc/>
    public IModel Model => Language;

    /// <inheritdoc/>
    public TrainingSettings Settings { get; }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, string> CheckpointMetadata => _metadata;

    /// <summary>The whole batch's state (split over processes: the buffer the shards' rows are gathered into for checkpoints).</summary>
    public IReadOnlyList<Tensor> CarriedState => _wholeState;

    /// <inheritdoc/>
    public TaskPresentation Presentation { get; }

    /// <inheritdoc/>
    public int BatchCount => _batches?.Count ?? 0;

    /// <inheritdoc/>
    public void CheckData()
    {
        LanguageModelConfig c = Language.Config;
        // TokenBatches' own message says what is too short and what to change.
        if (_batches is null) _ = new TokenBatches(_train, c.BatchSize, c.NumSteps);
        RequireEvaluable(_valid, c.BatchSize, "validation");
        if (_test is { } test) RequireEvaluable(test, 1, "test");
    }

    private static void RequireEvaluable(ReadOnlyMemory<int> tokens, int rows, string what)
    {
        if (tokens.Length / rows < 2)
            throw new RecurrentException($"The {what} text has {tokens.Length} tokens: too few to score with {rows} rows (each row needs at least 2).");
    }

    /// <inheritdoc/>
    public void StartEpoch(int epoch) => _state.Clear();

    /// <inheritdoc/>
    public BatchLoss TrainBatch(int epoch, int batch)
    {
        LanguageModelConfig c = Language.Config;
        _batches!.GetBatch(batch, _inputs, _targets, _firstRow, _rows);
        // Averaged over the whole batch's rows, so the shards' gradients add up to the whole batch's.
        using Dropout.RowScope rows = Dropout.DrawForRows(_firstRow, c.BatchSize);
        double loss = Language.TrainBatch(_inputs, _targets, c.NumSteps, _rows, _state, 1f / c.BatchSize);
        return new BatchLoss(loss, _inputs.Length, _inputs.Length);
    }

    void IShardedTask.UseShard(BatchShard shard)
    {
        LanguageModelConfig c = Language.Config;
        if (shard.Count > c.BatchSize)
            throw new RecurrentException($"A batch of {c.BatchSize} streams cannot be split over {shard.Count} processes: each needs at least one stream. Use fewer processes or a larger --batch-size.");
        _shard = shard;
        (_firstRow, _rows) = shard.Of(c.BatchSize);
        _state = Language.CreateState(_rows);
        _localState = LanguageModel.StateTensors(_state);
        _wholeState = shard.IsWhole ? _localState : LanguageModel.StateTensors(Language.CreateState(c.BatchSize));
        _inputs = new int[c.NumSteps * _rows];
        _targets = new int[c.NumSteps * _rows];
    }

    /// <summary>Each state tensor is [rows, features]: this shard's rows go to rows <c>[first, first + rows)</c> of the whole batch's.</summary>
    void IShardedTask.ExportCarriedState()
    {
        if (_shard.IsWhole) return;
        for (int i = 0; i < _localState.Count; i++)
        {
            Span<float> whole = _wholeState[i].Span;
            int width = _wholeState[i].Length / Language.Config.BatchSize;
            whole.Clear();
            _localState[i].Span.CopyTo(whole.Slice(_firstRow * width, _rows * width));
        }
    }

    void IShardedTask.ImportCarriedState()
    {
        if (_shard.IsWhole) return;
        for (int i = 0; i < _localState.Count; i++)
        {
            int width = _wholeState[i].Length / Language.Config.BatchSize;
            _wholeState[i].Span.Slice(_firstRow * width, _rows * width).CopyTo(_localState[i].Span);
        }
    }

    /// <inheritdoc/>
    public Evaluation Validate(int? maxBatches)
    {
        LanguageModelConfig c = Language.Config;
        (double loss, long tokens) = Evaluate(Language, _valid.Span, c.BatchSize, c.NumSteps, maxBatches);
        return new Evaluation(loss, tokens, new Dictionary<string, double>());
    }

    /// <summary>
    /// Mean cross-entropy (nats per token) of <paramref name="model"/> on a token stream, dropout off, with the
    /// state carried from the start of the stream to its end. The stream is cut into <paramref name="batchSize"/>
    /// rows as in training; the steps that do not fill a whole batch of <paramref name="steps"/> are run as one
    /// shorter batch, so every token but the first of each row is scored (with batch size 1, the whole stream,
    /// as ptb_word_lm.py's test run with num_steps 1).
    /// </summary>
    public static (double Loss, long Tokens) Evaluate(LanguageModel model, ReadOnlySpan<int> tokens, int batchSize, int steps, int? maxBatches = null)
    {
        int rowLength = tokens.Length / batchSize;
        int available = rowLength - 1; // predictions per row
        if (available < 1)
            throw new RecurrentException($"The evaluation text has {tokens.Length} tokens: too few for {batchSize} rows.");
        RecurrentState state = model.CreateState(batchSize);
        var inputs = new int[steps * batchSize];
        var targets = new int[steps * batchSize];
        double loss = 0;
        long count = 0;
        int batchesRun = 0;
        for (int start = 0; start < available; start += steps)
        {
            if (maxBatches is { } max && batchesRun++ >= max) break;
            int n = Math.Min(steps, available - start);
            for (int t = 0; t < n; t++)
            for (int b = 0; b < batchSize; b++)
            {
                int at = b * rowLength + start + t;
                inputs[t * batchSize + b] = tokens[at];
                targets[t * batchSize + b] = tokens[at + 1];
            }
            int length = n * batchSize;
            loss += model.EvaluateBatch(inputs.AsSpan(0, length), targets.AsSpan(0, length), n, batchSize, state);
            count += length;
        }
        return (loss / count, count);
    }
}
