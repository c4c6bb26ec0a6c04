using System.Diagnostics;
using System.Numerics.Tensors;
using Recurrent.Data;
using Recurrent.Layers;
using Recurrent.Models;
using Recurrent.Optimizers;

namespace Recurrent.Training;

/// <summary>Settings of a training run that are not model hyper-parameters.</summary>
public sealed record TrainerOptions
{
    /// <summary>Folder of the run: config, metrics log, plot and checkpoints.</summary>
    public required string RunDirectory { get; init; }

    /// <summary><c>word</c> or <c>char</c>: stored in checkpoints, and decides the units shown.</summary>
    public string ModelKind { get; init; } = "word";

    /// <summary>Token vocabulary as JSON, stored in checkpoints so a model can be used on its own.</summary>
    public required string VocabularyJson { get; init; }

    /// <summary>How often to write the periodic checkpoint within an epoch (it is also written at every epoch's end).</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Stop each epoch after this many batches (quick runs and tests); null for the whole epoch.</summary>
    public int? MaxBatchesPerEpoch { get; init; }

    /// <summary>Plot bits per token rather than perplexity.</summary>
    public bool PlotBitsPerToken { get; init; }
}

/// <summary>How a call to <see cref="LanguageModelTrainer.Run"/> ended.</summary>
public enum TrainingOutcome
{
    Completed,
    Stopped,
}

/// <summary>
/// Trains a <see cref="LanguageModel"/> as ptb_word_lm.py does: per epoch, the learning rate from the
/// step-decay schedule, truncated BPTT over the training stream with the state carried between batches,
/// the loss summed over time steps and averaged over the batch, global-norm clipping, an optimizer step;
/// then validation. Writes the metrics log, the plot, a best-on-valid and a periodic checkpoint, and can stop
/// at any batch (Ctrl-C) and resume bit-identically from the periodic checkpoint.
/// </summary>
public sealed class LanguageModelTrainer
{
    public const string LastCheckpointName = "last.ckpt";
    public const string BestCheckpointName = "best.ckpt";
    public const string MetricsName = "metrics.jsonl";
    public const string CurveName = "curve";
    public const string ConfigName = "config.json";

    private readonly LanguageModel _model;
    private readonly Optimizer _optimizer;
    private readonly int[] _train;
    private readonly int[] _valid;
    private readonly TrainerOptions _options;
    private readonly ITrainingMonitor _monitor;
    private readonly RecurrentState _state;

    /// <param name="resume">A training checkpoint of this run to continue from, or null for a fresh run.</param>
    public LanguageModelTrainer(LanguageModel model, int[] train, int[] valid, TrainerOptions options, ITrainingMonitor monitor, LoadedCheckpoint? resume = null)
    {
        _model = model;
        _train = train;
        _valid = valid;
        _options = options;
        _monitor = monitor;
        LanguageModelConfig config = model.Config;
        _optimizer = CreateOptimizer(config);
        _optimizer.EnsureState(model.Parameters);
        _state = model.CreateState(config.BatchSize);
        Directory.CreateDirectory(options.RunDirectory);
        if (resume is null)
        {
            Position = new TrainingPosition();
            File.WriteAllText(PathOf(ConfigName), config.ToJson());
            File.Delete(PathOf(MetricsName));
        }
        else
        {
            ModelCheckpoint.RestoreTraining(resume, _optimizer, _state);
            Position = resume.Position!;
            // The checkpoint is the record of what happened: rewrite the log from it, so that an epoch logged
            // after the checkpoint was written (a crash in between) is not counted twice.
            File.Delete(PathOf(MetricsName));
            foreach (EpochReport e in Position.History) MetricsLog.Append(PathOf(MetricsName), e);
            monitor.Info($"Resumed from {resume.Path} at epoch {Position.Epoch + 1}, batch {Position.Batch}.");
        }
    }

    /// <summary>Where the run stands.</summary>
    public TrainingPosition Position { get; }

    public LanguageModel Model => _model;

    /// <summary>The path of a file in the run folder.</summary>
    public string PathOf(string name) => Path.Combine(_options.RunDirectory, name);

    /// <summary>Creates the optimizer a config names, at its initial learning rate.</summary>
    public static Optimizer CreateOptimizer(LanguageModelConfig config) => config.Optimizer switch
    {
        OptimizerKind.Sgd => new Sgd(config.LearningRate),
        OptimizerKind.Momentum => new Momentum(config.LearningRate),
        OptimizerKind.Adam => new Adam(config.LearningRate),
        OptimizerKind.RmsProp => new RmsProp(config.LearningRate),
        _ => throw new RecurrentException($"Unknown optimizer '{config.Optimizer}'."),
    };

    /// <summary>Trains until the last epoch ends or <paramref name="cancellation"/> fires; either way the run can be resumed.</summary>
    public TrainingOutcome Run(CancellationToken cancellation)
    {
        LanguageModelConfig config = _model.Config;
        int batchSize = config.BatchSize, steps = config.NumSteps;
        var batches = new TokenBatches(_train, batchSize, steps);
        int batchCount = _options.MaxBatchesPerEpoch is { } max ? Math.Min(max, batches.Count) : batches.Count;
        var inputs = new int[steps * batchSize];
        var targets = new int[steps * batchSize];
        var clock = new Stopwatch();
        DateTime lastCheckpoint = DateTime.UtcNow;
        int reportEvery = Math.Max(1, batchCount / 200);

        while (Position.Epoch < config.MaxMaxEpoch)
        {
            int epoch = Position.Epoch;
            float learningRate = config.LearningRateAt(epoch);
            if (!float.IsFinite(learningRate) || learningRate <= 0)
                throw new RecurrentException($"The learning rate for epoch {epoch + 1} is {learningRate}: learning_rate {config.LearningRate} × lr_decay {config.LrDecay}^{Math.Max(epoch + 1 - config.MaxEpoch, 0)} is out of float range.");
            _optimizer.LearningRate = learningRate;
            if (Position.Batch == 0)
            {
                _state.Clear();
                Position.EpochLoss = 0;
                Position.EpochTokens = 0;
                Position.EpochSeconds = 0;
            }
            while (Position.Batch < batchCount)
            {
                if (cancellation.IsCancellationRequested)
                {
                    RequireFiniteWeights();
                    SaveLast();
                    _monitor.Info($"Stopped at epoch {epoch + 1}, batch {Position.Batch}; resume with --resume {_options.RunDirectory}");
                    return TrainingOutcome.Stopped;
                }
                clock.Restart();
                batches.GetBatch(Position.Batch, inputs, targets);
                (double loss, double norm) = TrainStep(_model, _optimizer, inputs, targets, _state);
                if (!double.IsFinite(loss)) throw Diverged($"the loss became {loss}", epoch, Position.Batch + 1, Position.Step + 1);
                if (!double.IsFinite(norm)) throw Diverged($"the gradient norm became {norm}", epoch, Position.Batch + 1, Position.Step + 1);
                Position.Step++;
                Position.Batch++;
                Position.EpochLoss += loss;
                Position.EpochTokens += inputs.Length;
                Position.EpochSeconds += clock.Elapsed.TotalSeconds;
                if (Position.Batch % reportEvery == 0 || Position.Batch == batchCount)
                {
                    double rate = Position.EpochTokens / Math.Max(Position.EpochSeconds, 1e-9);
                    var remaining = TimeSpan.FromSeconds((batchCount - Position.Batch) * (double)inputs.Length / Math.Max(rate, 1e-9));
                    _monitor.Batch(new BatchReport(epoch, config.MaxMaxEpoch, Position.Batch, batchCount,
                        Position.EpochLoss / Position.EpochTokens, rate, remaining, learningRate));
                }
                if (DateTime.UtcNow - lastCheckpoint > _options.CheckpointInterval && Position.Batch < batchCount)
                {
                    RequireFiniteWeights();
                    SaveLast();
                    lastCheckpoint = DateTime.UtcNow;
                }
            }

            var evalClock = Stopwatch.StartNew();
            (double validLoss, long validTokens) = Evaluate(_model, _valid, batchSize, steps, _options.MaxBatchesPerEpoch);
            double evalSeconds = evalClock.Elapsed.TotalSeconds;
            // A last step that wrecked the weights shows here first; the epoch must not be logged or saved as done.
            if (!double.IsFinite(validLoss)) throw Diverged($"the validation loss became {validLoss} after the epoch's last batch", epoch, Position.Batch, Position.Step);
            RequireFiniteWeights();
            var report = new EpochReport(epoch + 1, learningRate, Position.EpochLoss / Position.EpochTokens, validLoss,
                Position.EpochTokens / Math.Max(Position.EpochSeconds, 1e-9), validTokens / Math.Max(evalSeconds, 1e-9),
                Position.EpochSeconds + evalSeconds);
            Position.History.Add(report);
            Position.Epoch++;
            Position.Batch = 0;
            bool best = validLoss < Position.BestValidLoss;
            if (best) Position.BestValidLoss = validLoss;
            // The carried state restarts at zero next epoch; saving it as such keeps resume exact.
            _state.Clear();
            SaveLast();
            if (best) ModelCheckpoint.Save(PathOf(BestCheckpointName), _model, _options.ModelKind, _options.VocabularyJson, Position, _optimizer, _state);
            lastCheckpoint = DateTime.UtcNow;
            MetricsLog.Append(PathOf(MetricsName), report);
            TrainingCurvePlot.Save(PathOf(CurveName), Position.History,
                _options.PlotBitsPerToken ? TrainingCurvePlot.Measure.BitsPerToken : TrainingCurvePlot.Measure.Perplexity,
                $"{_options.ModelKind} model: {config.NumLayers} × {config.HiddenSize} {config.Cell.ToString().ToUpperInvariant()}");
            _monitor.Epoch(report);
        }
        return TrainingOutcome.Completed;
    }

    /// <summary>
    /// One optimizer step on one batch, as training runs it (and as <c>bench lm</c> times it): zero the gradients,
    /// forward and backward with the loss summed over time steps and averaged over the batch, clip by the
    /// config's global norm, then the optimizer's update. A step whose loss or gradient norm is not finite
    /// updates nothing, so the caller can stop with the weights as they were.
    /// </summary>
    /// <returns>The summed loss (nats) and the gradient's global norm before clipping (0 when clipping is off).</returns>
    public static (double Loss, double GradientNorm) TrainStep(LanguageModel model, Optimizer optimizer,
        ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets, RecurrentState state)
    {
        LanguageModelConfig config = model.Config;
        IReadOnlyList<Parameter> parameters = model.Parameters;
        model.Timings?.Start();
        ParameterGradients.Zero(parameters);
        model.Timings?.Lap(LanguageModelPhase.ZeroGradients);
        double loss = model.TrainBatch(inputs, targets, config.NumSteps, state.BatchSize, state, 1f / state.BatchSize);
        if (!double.IsFinite(loss)) return (loss, 0);
        double norm = config.MaxGradNorm > 0 ? GradientClipping.ClipByGlobalNorm(parameters, config.MaxGradNorm) : 0;
        model.Timings?.Lap(LanguageModelPhase.Clip);
        if (!double.IsFinite(norm)) return (loss, norm);
        optimizer.Step(parameters);
        model.Timings?.Lap(LanguageModelPhase.Step);
        return (loss, norm);
    }

    /// <summary>
    /// Mean cross-entropy (nats per token) of <paramref name="model"/> on a token stream, dropout off, with the
    /// state carried from the start of the stream to its end. The stream is cut into <paramref name="batchSize"/>
    /// rows as in training; the steps that do not fill a whole batch of <paramref name="steps"/> are run as one
    /// shorter batch, so every token but the first of each row is scored (with batch size 1, the whole stream,
    /// as ptb_word_lm.py's test run with num_steps 1).
    /// </summary>
    public static (double Loss, long Tokens) Evaluate(LanguageModel model, int[] tokens, int batchSize, int steps, int? maxBatches = null)
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

    private void SaveLast() =>
        ModelCheckpoint.Save(PathOf(LastCheckpointName), _model, _options.ModelKind, _options.VocabularyJson, Position, _optimizer, _state);

    /// <summary>
    /// Called before every checkpoint: a step can overflow weights to ±∞ (or NaN) before any loss shows it, and a
    /// checkpoint written then would replace the last good one with weights nothing can resume from.
    /// Checked only when saving (every few minutes), so batches pay nothing for it.
    /// </summary>
    private void RequireFiniteWeights()
    {
        foreach (Parameter p in _model.Parameters)
            if (!TensorPrimitives.IsFiniteAll<float>(p.Value.Span))
                throw Diverged($"the weights of '{p.Name}' became non-finite", Position.Epoch, Position.Batch, Position.Step);
    }

    /// <param name="epoch">0-based epoch.</param>
    /// <param name="batch">1-based batch of that epoch.</param>
    /// <param name="step">1-based optimizer step of the run.</param>
    private RecurrentException Diverged(string what, int epoch, int batch, long step)
    {
        string last = PathOf(LastCheckpointName);
        string advice = File.Exists(last)
            ? $"The last good checkpoint is {last}"
            : "No checkpoint was written before it";
        return new RecurrentException(
            $"Training diverged: {what} at epoch {epoch + 1}, batch {batch} (step {step}). " +
            $"{advice}; try a lower --learning-rate or --max-grad-norm.");
    }
}
