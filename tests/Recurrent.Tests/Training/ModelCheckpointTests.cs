using Recurrent.Tests.Support;
using Recurrent.Layers;
using Recurrent.Models;
using Recurrent.Optimizers;
using Recurrent.Tensors;
using Recurrent.Training;
using Recurrent.Training.Checkpoints;
using static Recurrent.Tests.Training.TrainerTestSupport;

namespace Recurrent.Tests.Training;

/// <summary>Language-model checkpoints: exact round trip, what cannot resume, what is refused, and the run folder.</summary>
public class ModelCheckpointTests
{
    private static readonly int[] Tokens = Stream(400, seed: 41);

    /// <summary>A tiny model moved away from its seeded initialisation by a few SGD steps, so that a loader that
    /// rebuilt the model from its seed without reading the weights would be caught.</summary>
    private static LanguageModel TrainedModel(LanguageModelConfig config)
    {
        var model = new LanguageModel(config);
        var batches = new Recurrent.Data.TokenBatches(Tokens, config.BatchSize, config.NumSteps);
        var inputs = new int[batches.BatchLength];
        var targets = new int[batches.BatchLength];
        RecurrentState state = model.CreateState(config.BatchSize);
        var sgd = new Sgd(0.5f);
        for (int i = 0; i < 3; i++)
        {
            batches.GetBatch(i, inputs, targets);
            ParameterGradients.Zero(model.Parameters);
            model.TrainBatch(inputs, targets, config.NumSteps, config.BatchSize, state, 1f / config.BatchSize);
            sgd.Step(model.Parameters);
        }
        return model;
    }

    [Theory]
    [InlineData(CellKind.Lstm, false)]
    [InlineData(CellKind.Gru, true)]
    public void SavedModelReloadsWithIdenticalWeightsAndLosses(CellKind cell, bool oneHot)
    {
        using var dir = new TempDirectory();
        LanguageModelConfig config = TinyConfig() with { Cell = cell, OneHot = oneHot };
        LanguageModel model = TrainedModel(config);
        string path = dir.File("model.ckpt");
        ModelCheckpoint.Save(path, model, "char", Metadata());

        LoadedCheckpoint loaded = ModelCheckpoint.Load(path);
        Assert.Equal("char", loaded.Kind);
        Assert.Equal(VocabularyJson(), loaded.VocabularyJson);
        Assert.Equal(config, loaded.LanguageModel.Config);
        Assert.Null(loaded.Position);
        AssertBitIdentical(Snapshot(model), Snapshot(loaded.LanguageModel), model.Parameters);
        Assert.False(Snapshot(new LanguageModel(config)).Zip(Snapshot(model)).All(p => p.First.AsSpan().SequenceEqual(p.Second)),
            "the saved weights equal the seeded initialisation, so the test proves nothing");

        // Same forward pass: identical losses over several batches with the state carried, and identical predictions.
        int steps = config.NumSteps, batch = config.BatchSize;
        var batches = new Recurrent.Data.TokenBatches(Tokens, batch, steps);
        var inputs = new int[batches.BatchLength];
        var targets = new int[batches.BatchLength];
        RecurrentState a = model.CreateState(batch), b = loaded.LanguageModel.CreateState(batch);
        for (int i = 0; i < 4; i++)
        {
            batches.GetBatch(i, inputs, targets);
            double expected = model.EvaluateBatch(inputs, targets, steps, batch, a);
            double actual = loaded.LanguageModel.EvaluateBatch(inputs, targets, steps, batch, b);
            Assert.Equal(expected, actual);
        }
        var p = new float[config.VocabSize];
        var q = new float[config.VocabSize];
        model.PredictNext(Tokens.AsSpan(0, 7), model.CreateState(1), p);
        loaded.LanguageModel.PredictNext(Tokens.AsSpan(0, 7), loaded.LanguageModel.CreateState(1), q);
        Assert.Equal(p, q);
    }

    [Fact]
    public void WeightsOnlyCheckpointCannotResume()
    {
        using var dir = new TempDirectory();
        LanguageModelConfig config = TinyConfig();
        string path = dir.File("weights.ckpt");
        ModelCheckpoint.Save(path, TrainedModel(config), "word", Metadata());
        LoadedCheckpoint loaded = ModelCheckpoint.Load(path);
        var e = Assert.Throws<RecurrentException>(() =>
            NewTrainer(loaded.LanguageModel, Tokens, Tokens, Options(dir.File("run")), new RecordingMonitor(), resume: loaded));
        Assert.Contains(path, e.Message);
        Assert.Contains("weights only", e.Message);
        Assert.Contains("cannot resume", e.Message);
    }

    /// <summary>The config stored in a checkpoint is rewritten to disagree with its tensors; loading must name the tensor.</summary>
    [Theory]
    [InlineData("hidden_size", "9", "rnn.0", "the config needs")]
    [InlineData("embedding_size", "5", "embedding.weight", "the config needs")]
    [InlineData("vocab_size", "11", "embedding.weight", "the config needs")]
    [InlineData("num_layers", "3", "rnn.2", "has no tensor")]
    [InlineData("num_layers", "1", "rnn.1", "the config has no such parameter")] // every tensor it needs fits, but one is left over
    [InlineData("cell", "\"Gru\"", "rnn.0.weight_ih", "has no tensor")]
    [InlineData("one_hot", "true", "rnn.0", "the config needs")]
    public void ConfigThatDisagreesWithTheTensorsIsRefused(string setting, string value, string tensorName, string expected)
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.ckpt");
        ModelCheckpoint.Save(path, TrainedModel(TinyConfig()), "word", Metadata());
        Checkpoint original = CheckpointFile.Read(path);
        var metadata = original.Metadata.Where(m => !CheckpointFile.IsReservedMetadataKey(m.Key)).ToDictionary(m => m.Key, m => m.Value);
        string config = metadata[ModelCheckpoint.ConfigKey];
        metadata[ModelCheckpoint.ConfigKey] = TinyConfig().Overlay($"{{\"{setting}\": {value}}}", "test").ToJson();
        Assert.NotEqual(config, metadata[ModelCheckpoint.ConfigKey]);
        string tampered = dir.File("tampered.ckpt");
        CheckpointFile.Write(tampered, metadata, original.Tensors.ToList());

        var e = Assert.Throws<RecurrentException>(() => ModelCheckpoint.Load(tampered));
        Assert.Contains(tampered, e.Message);
        Assert.Contains(tensorName, e.Message);
        Assert.True(e.Message.Contains(expected), e.Message);
    }

    /// <summary>
    /// Found by the long fuzz run: a bit flip in the header key 'vocabulary' (no checksum covers the header) left a
    /// checkpoint that loaded but that no command could use.
    /// </summary>
    [Fact]
    public void ALanguageModelWithoutItsVocabularyIsRefused()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.ckpt");
        ModelCheckpoint.Save(path, TrainedModel(TinyConfig()), "word", Metadata());
        Checkpoint original = CheckpointFile.Read(path);
        var metadata = original.Metadata.Where(m => !CheckpointFile.IsReservedMetadataKey(m.Key) && m.Key != ModelCheckpoint.VocabularyKey).ToDictionary(m => m.Key, m => m.Value);
        metadata["vocabularx"] = original.Metadata[ModelCheckpoint.VocabularyKey];
        string tampered = dir.File("tampered.ckpt");
        CheckpointFile.Write(tampered, metadata, original.Tensors.ToList());
        var e = Assert.Throws<RecurrentException>(() => ModelCheckpoint.Load(tampered));
        Assert.Contains(tampered, e.Message);
        Assert.Contains("without its 'vocabulary' entry", e.Message);
    }

    [Fact]
    public void FileWithoutModelMetadataIsRefused()
    {
        using var dir = new TempDirectory();
        string path = dir.File("plain.ckpt");
        CheckpointFile.Write(path, new Dictionary<string, string>(), [new NamedTensor("x", new Tensor(2, 2))]);
        var e = Assert.Throws<RecurrentException>(() => ModelCheckpoint.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not a Recurrent model checkpoint", e.Message);
    }

    [Fact]
    public void RunFolderHoldsConfigMetricsCurvesAndCheckpoints()
    {
        using var dir = new TempDirectory();
        LanguageModelConfig config = TinyConfig();
        var monitor = new RecordingMonitor();
        Trainer trainer = NewTrainer(new LanguageModel(config), Tokens, Stream(120, seed: 42), Options(dir.Path), monitor);
        Assert.Equal(TrainingOutcome.Completed, trainer.Run(CancellationToken.None));

        Assert.Equal(config, LanguageModelConfig.FromJson(File.ReadAllText(trainer.PathOf(Trainer.ConfigName)), "config.json"));

        string[] lines = File.ReadAllLines(trainer.PathOf(Trainer.MetricsName));
        Assert.Equal(config.MaxMaxEpoch, lines.Length);
        List<EpochReport> logged = MetricsLog.Read(trainer.PathOf(Trainer.MetricsName));
        Assert.Equal(monitor.Epochs.Select(r => (r.Epoch, r.TrainLoss, r.ValidLoss)), logged.Select(r => (r.Epoch, r.TrainLoss, r.ValidLoss)));
        Assert.Equal([1, 2], logged.Select(r => r.Epoch));

        byte[] png = File.ReadAllBytes(trainer.PathOf(Trainer.CurveName + ".png"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png.Take(8));
        string svg = File.ReadAllText(trainer.PathOf(Trainer.CurveName + ".svg"));
        Assert.Contains("<svg", svg);

        LoadedCheckpoint last = ModelCheckpoint.Load(trainer.PathOf(Trainer.LastCheckpointName));
        Assert.Equal(config.MaxMaxEpoch, last.Position!.Epoch);
        AssertBitIdentical(Snapshot(trainer.Language()), Snapshot(last.LanguageModel), trainer.Language().Parameters);
        LoadedCheckpoint best = ModelCheckpoint.Load(trainer.PathOf(Trainer.BestCheckpointName));
        Assert.Equal(logged.Min(r => r.ValidLoss), best.Position!.BestValue);
    }
}
