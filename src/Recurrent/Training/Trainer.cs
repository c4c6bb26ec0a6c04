using System.Diagnostics;
using System.Numerics.Tensors;
using Recurrent.Layers;
using Recurrent.Models;
using Recurrent.Optimizers;
using Recurrent.Tensors;
using Recurrent.Training.Distributed;

namespace Recurrent.Training;

/// <summary>Settings of a training run that are not the task's: where it lives and how often it saves.</summary>
public sealed record TrainerOptions
{
    /// <summary>Folder of the run: config, metrics log, plot and checkpoints.</summary>
    public required string RunDirectory { get; init; }

    /// <summary>How often to write the periodic checkpoint within an epoch (it is also written at every epoch's end).</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Stop each epoch (and each validation) after this many batches: quick runs and tests; null for all.</summary>
    public int? MaxBatchesPerEpoch { get; init; }

    /// <summary>Epochs to train in all; null for the task's own setting (or, on resume, the run's).</summary>
    public int? Epochs { get; init; }

    /// <summary>Replace an earlier run found in <see cref="RunDirectory"/> instead of refusing to start.</summary>
    public bool Force { get; init; }

    /// <summary>
    /// The processes training together, data parallel: each computes its shard of every batch (the task must be an
    /// <see cref="IShardedTask"/>), the gradients are summed over them before clipping and the update, and only rank 0
    /// reports and writes files. By default <see cref="Cluster.World"/>: this process alone, unless mpirun started it.
    /// </summary>
    internal ICommunicator Communicator { get; init; } = Cluster.World;
}

/// <summary>How a call to <see cref="Trainer.Run"/> ended.</summary>
public enum TrainingOutcome
{
    /// <summary>Every epoch ran, or early stopping ended the run.</summary>
    Completed,
    /// <summary>Cancelled: the periodic checkpoint holds the run, which can be resumed.</summary>
    Stopped,
}

/// <summary>
/// The one trainer of every task. Per epoch: the learning rate from the schedule, the task's batches each as one
/// step (zero the gradients, the task's forward and backward, clip by global norm, the optimizer's update), then
/// the task's validation. It writes the metrics log, the plot, a best checkpoint (by the chosen validation metric)
/// and a periodic one, stops early when that metric stops improving, stops cleanly at any batch when cancelled
/// (Ctrl-C, SIGTERM), and resumes bit-identically from the periodic checkpoint.
/// </summary>
/// <remarks>
/// With a <see cref="TrainerOptions.Communicator"/> of N processes (mpirun), every process runs this same trainer on
/// its shard of each batch; one fused MPI_Allreduce per step sums the gradients, the loss and the flags they must
/// agree on (<see cref="GradientExchange"/>), so all apply the same clipped update and stop, save and end together.
/// Rank 0 alone reports, writes the metrics log, the plot and the checkpoints (the carried state gathered from every
/// shard); each rank validates on the whole validation set, and the weights are checked to be the same on every rank
/// at each epoch's end.
/// </remarks>
public sealed class Trainer
{
    /// <summary>The periodic checkpoint, written during and after every epoch; training resumes from it.</summary>
    public const string LastCheckpointName = "last.ckpt";
    /// <summary>The checkpoint of the epoch with the best validation metric.</summary>
    public const string BestCheckpointName = "best.ckpt";
    /// <summary>One JSON object per finished epoch.</summary>
    public const string MetricsName = "metrics.jsonl";
    /// <summary>The plot of the training curves, as <c>curve.png</c> and <c>curve.svg</c>.</summary>
    public const string CurveName = "curve";
    /// <summary>The model's config, written when a fresh run starts.</summary>
    public const string ConfigName = "config.json";

    /// <summary>The files a run writes: a fresh run refuses a folder that holds any of them (unless forced).</summary>
    internal static readonly string[] RunFiles = [LastCheckpointName, BestCheckpointName, MetricsName, CurveName + ".png", CurveName + ".svg", ConfigName, "run.json", "test.json", "report.json"];

    private readonly ITrainingTask _task;
    private readonly IReadOnlyList<Parameter> _trainable;
    private readonly Optimizer _optimizer;
    private readonly TrainerOptions _options;
    private readonly ITrainingMonitor _monitor;
    private readonly bool _isRoot;
    private readonly GradientExchange? _exchange; // null for one process

    /// <param name="resume">A training checkpoint of this run to continue from, or null for a fresh run.</param>
    /// <exception cref="RecurrentException">A fresh run's folder holds an earlier run and <see cref="TrainerOptions.Force"/> is off; or the data is unusable.</exception>
    public Trainer(ITrainingTask task, TrainerOptions options, ITrainingMonitor monitor, LoadedCheckpoint? resume = null)
    {
        _task = task;
        _options = options;
        ICommunicator communicator = options.Communicator;
        _isRoot = communicator.IsRoot;
        _monitor = _isRoot ? monitor : SilentMonitor.Instance;
        TrainingSettings settings = task.Settings;
        settings.Validate();
        if (options.Epochs is < 1) throw new RecurrentException($"--epochs must be at least 1, got {options.Epochs}.");
        _trainable = task.Model.TrainableParameters;
        _optimizer = settings.CreateOptimizer();
        _optimizer.EnsureState(_trainable);
        if (communicator.Size > 1)
        {
            if (task is not IShardedTask sharded)
                throw new RecurrentException($"The {task.Kind} task cannot split its batches, so it cannot train on {communicator.Size} processes; run it without mpirun.");
            sharded.UseShard(new BatchShard(communicator.Rank, communicator.Size));
            _exchange = new GradientExchange(communicator, _trainable);
        }
        task.CheckData();
        if (resume is null)
        {
            if (_isRoot)
            {
                PrepareFreshFolder(options.RunDirectory, options.Force);
                AtomicFile.WriteAllText(PathOf(ConfigName), task.Model.ConfigJson);
            }
            Position = new TrainingPosition { Epochs = options.Epochs ?? settings.Epochs };
        }
        else
        {
            ModelCheckpoint.RestoreTraining(resume, _optimizer, _trainable, task.CarriedState);
            (task as IShardedTask)?.ImportCarriedState();
            Position = resume.Position!;
            if (options.Epochs is { } epochs) Position.Epochs = epochs;
            else if (Position.Epochs == 0) Position.Epochs = settings.Epochs;
            // The checkpoint is the record of what happened: rewrite the log from it, so that an epoch logged
            // after the checkpoint was written (a crash in between) is not counted twice.
            if (_isRoot) MetricsLog.Write(PathOf(MetricsName), Position.History, _task.Presentation.Loss);
            _monitor.Info($"Resumed from {resume.Path} at epoch {Position.Epoch + 1}, batch {Position.Batch}; training to epoch {Position.Epochs}.");
        }
        // No rank writes into the run folder before the root has checked and prepared it.
        communicator.Barrier();
        if (_exchange is not null)
            _monitor.Info($"Training on {communicator.Size} processes, each on its shard of every batch; {_exchange.BufferBytes / 1e6:F1} MB of gradients summed per step.");
    }

    /// <summary>Where the run stands.</summary>
    public TrainingPosition Position { get; }

    /// <summary>The task being trained.</summary>
    public ITrainingTask Task => _task;

    /// <summary>The path of a file in the run folder.</summary>
    public string PathOf(string name) => Path.Combine(_options.RunDirectory, name);

    /// <summary>
    /// Refuses a folder holding an earlier run (so a typo in <c>--run</c> never overwrites one), or with
    /// <paramref name="force"/> deletes that run's files, so nothing of it is mistaken for the new run's.
    /// </summary>
    internal static void PrepareFreshFolder(string runDirectory, bool force)
    {
        var found = new List<string>();
        foreach (string name in RunFiles)
            if (File.Exists(Path.Combine(runDirectory, name))) found.Add(name);
        if (found.Count > 0 && !force)
            throw new RecurrentException($"{runDirectory} already holds a run ({string.Join(", ", found)}). " +
                $"Continue it with --resume {runDirectory}, replace it with --force, or choose another --run folder.");
        foreach (string name in found) File.Delete(Path.Combine(runDirectory, name));
        Directory.CreateDirectory(runDirectory);
        AtomicFile.FlushDirectory(runDirectory);
    }

    /// <summary>Trains until the last epoch ends, the selection metric stops improving, or <paramref name="cancellation"/> fires; the run can be resumed after any of them.</summary>
    public TrainingOutcome Run(CancellationToken cancellation)
    {
        TrainingSettings settings = _task.Settings;
        int batchCount = _options.MaxBatchesPerEpoch is { } max ? Math.Min(max, _task.BatchCount) : _task.BatchCount;
        var clock = new Stopwatch();
        DateTime lastCheckpoint = DateTime.UtcNow;
        int reportEvery = Math.Max(1, batchCount / 200);

        while (Position.Epoch < Position.Epochs && !Position.StoppedEarly)
        {
            int epoch = Position.Epoch;
            float learningRate = settings.LearningRateAt(epoch);
            if (!float.IsFinite(learningRate) || learningRate <= 0)
                throw new RecurrentException($"The learning rate for epoch {epoch + 1} is {learningRate}: learning rate {settings.LearningRate} × decay {settings.LrDecay}^{Math.Max(epoch + 1 - settings.DecayStartEpoch, 0)} is out of float range.");
            _optimizer.LearningRate = learningRate;
            if (Position.Batch == 0)
            {
                _task.StartEpoch(epoch);
                Position.EpochLoss = 0;
                Position.EpochCount = 0;
                Position.EpochItems = 0;
                Position.EpochSeconds = 0;
            }
            while (Position.Batch < batchCount)
            {
                // Processes training together stop together: after the step at which any of them was asked to.
                if (_exchange?.StopAgreed ?? cancellation.IsCancellationRequested)
                {
                    RequireFiniteWeights();
                    SaveLast();
                    _monitor.Info($"Stopped at epoch {epoch + 1}, batch {Position.Batch}; resume with --resume {_options.RunDirectory}");
                    return TrainingOutcome.Stopped;
                }
                clock.Restart();
                _exchange?.Propose(cancellation.IsCancellationRequested, DateTime.UtcNow - lastCheckpoint > _options.CheckpointInterval);
                (BatchLoss result, double norm) = Step(_task, _optimizer, epoch, Position.Batch, _exchange);
                if (!double.IsFinite(result.Loss)) throw Diverged($"the loss became {result.Loss}", epoch, Position.Batch + 1, Position.Step + 1);
                if (!double.IsFinite(norm)) throw Diverged($"the gradient norm became {norm}", epoch, Position.Batch + 1, Position.Step + 1);
                Position.Step++;
                Position.Batch++;
                Position.EpochLoss += result.Loss;
                Position.EpochCount += result.Count;
                Position.EpochItems += result.Items;
                Position.EpochSeconds += clock.Elapsed.TotalSeconds;
                if (Position.Batch % reportEvery == 0 || Position.Batch == batchCount)
                {
                    double rate = Position.EpochItems / Math.Max(Position.EpochSeconds, 1e-9);
                    double perBatch = Position.EpochSeconds / Position.Batch;
                    var remaining = TimeSpan.FromSeconds((batchCount - Position.Batch) * perBatch);
                    _monitor.Batch(new BatchReport(epoch, Position.Epochs, Position.Batch, batchCount,
                        Position.EpochLoss / Math.Max(Position.EpochCount, 1), rate, remaining, learningRate));
                }
                if ((_exchange?.SaveAgreed ?? DateTime.UtcNow - lastCheckpoint > _options.CheckpointInterval) && Position.Batch < batchCount)
                {
                    RequireFiniteWeights();
                    SaveLast();
                    lastCheckpoint = DateTime.UtcNow;
                }
            }

            var evalClock = Stopwatch.StartNew();
            Evaluation valid = _task.Validate(_options.MaxBatchesPerEpoch);
            double evalSeconds = evalClock.Elapsed.TotalSeconds;
            // A last step that wrecked the weights shows here first; the epoch must not be logged or saved as done.
            if (!double.IsFinite(valid.Loss)) throw Diverged($"the validation loss became {valid.Loss} after the epoch's last batch", epoch, Position.Batch, Position.Step);
            RequireFiniteWeights();
            if (_exchange is not null)
            {
                _exchange.RequireSameWeights(_task.Model.Parameters);
                _monitor.Info($"allreduce: {_exchange.Calls} steps of {_exchange.BufferBytes / 1e6:F1} MB, {1e3 * _exchange.Seconds / Math.Max(_exchange.Calls, 1):F2} ms each " +
                    $"({_exchange.Seconds / Math.Max(Position.EpochSeconds, 1e-9):P1} of the epoch's training time, waiting for slower ranks included)");
                _exchange.ResetTimings();
            }
            var report = new EpochReport(epoch + 1, learningRate, Position.EpochLoss / Math.Max(Position.EpochCount, 1), valid.Loss,
                Position.EpochItems / Math.Max(Position.EpochSeconds, 1e-9), valid.Items / Math.Max(evalSeconds, 1e-9),
                Position.EpochSeconds + evalSeconds, new Dictionary<string, double>(valid.Metrics));
            Position.History.Add(report);
            Position.Epoch++;
            Position.Batch = 0;
            double selected = valid.Get(settings.SelectionMetric);
            bool lower = TrainingSettings.LowerIsBetter(settings.SelectionMetric);
            bool best = Position.BestValue is not { } previous || (lower ? selected < previous : selected > previous);
            if (best)
            {
                Position.BestValue = selected;
                Position.BestEpoch = epoch + 1;
            }
            else if (settings.Patience > 0 && epoch + 1 - Position.BestEpoch >= settings.Patience)
            {
                Position.StoppedEarly = true;
                _monitor.Info($"Stopping early: validation {settings.SelectionMetric} has not improved for {settings.Patience} epochs (best {Position.BestValue:G5} at epoch {Position.BestEpoch}).");
            }
            // Carried state restarts at zero next epoch; saving it as such keeps resume exact.
            _task.StartEpoch(epoch + 1);
            // Best first: a crash between the two writes then leaves a last.ckpt that still points back to a
            // complete best.ckpt, never a best.ckpt older than what last.ckpt's history calls best.
            if (best) Save(PathOf(BestCheckpointName));
            SaveLast();
            lastCheckpoint = DateTime.UtcNow;
            if (_isRoot)
            {
                MetricsLog.Append(PathOf(MetricsName), report, _task.Presentation.Loss);
                TrainingCurvePlot.Save(PathOf(CurveName), Position.History, _task.Presentation);
            }
            _monitor.Epoch(report);
        }
        return TrainingOutcome.Completed;
    }

    /// <summary>
    /// One optimizer step on one batch, as training runs it (and as the benchmarks time it): zero the gradients,
    /// the task's forward and backward, clip by the settings' global norm, then the optimizer's update. A step whose
    /// loss or gradient norm is not finite updates nothing, so the caller can stop with the weights as they were.
    /// </summary>
    /// <returns>The batch's loss and the gradient's global norm before clipping (0 when clipping is off).</returns>
    internal static (BatchLoss Loss, double GradientNorm) Step(ITrainingTask task, Optimizer optimizer, int epoch, int batch) =>
        Step(task, optimizer, epoch, batch, exchange: null);

    /// <summary>
    /// As <see cref="Step(ITrainingTask, Optimizer, int, int)"/>, with the gradients and the loss of this process's shard
    /// summed over the processes of <paramref name="exchange"/> (when not null) before clipping, so the norm clipped is
    /// the whole batch's and the loss returned is the whole batch's.
    /// </summary>
    internal static (BatchLoss Loss, double GradientNorm) Step(ITrainingTask task, Optimizer optimizer, int epoch, int batch, GradientExchange? exchange)
    {
        IReadOnlyList<Parameter> parameters = task.Model.TrainableParameters;
        LanguageModelTimings? timings = (task.Model as LanguageModel)?.Timings;
        float maxNorm = task.Settings.MaxGradNorm;
        timings?.Start();
        ParameterGradients.Zero(parameters);
        timings?.Lap(LanguageModelPhase.ZeroGradients);
        BatchLoss loss = task.TrainBatch(epoch, batch);
        // Every rank takes part in the sum even with a non-finite loss, which the sum then carries to all of them.
        if (exchange is not null) loss = exchange.Sum(loss, task.Model.Random);
        if (!double.IsFinite(loss.Loss)) return (loss, 0);
        double norm = maxNorm > 0 ? GradientClipping.ClipByGlobalNorm(parameters, maxNorm) : 0;
        timings?.Lap(LanguageModelPhase.Clip);
        if (!double.IsFinite(norm)) return (loss, norm);
        optimizer.Step(parameters);
        timings?.Lap(LanguageModelPhase.Step);
        return (loss, norm);
    }

    /// <summary>Writes a training checkpoint; split over processes, every rank takes part (the carried state is gathered from all shards) and the root writes it.</summary>
    private void Save(string path)
    {
        if (_exchange is not null && _task is IShardedTask sharded && _task.CarriedState.Count > 0)
        {
            sharded.ExportCarriedState();
            _exchange.SumTensors(_task.CarriedState);
        }
        if (_isRoot) ModelCheckpoint.Save(path, _task.Model, _task.Kind, _task.CheckpointMetadata, Position, _optimizer, _task.CarriedState);
    }

    private void SaveLast() => Save(PathOf(LastCheckpointName));

    /// <summary>
    /// Called before every checkpoint: a step can overflow weights to ±∞ (or NaN) before any loss shows it, and a
    /// checkpoint written then would replace the last good one with weights nothing can resume from.
    /// Checked only when saving (every few minutes), so batches pay nothing for it.
    /// </summary>
    private void RequireFiniteWeights()
    {
        foreach (Parameter p in _task.Model.Parameters)
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
