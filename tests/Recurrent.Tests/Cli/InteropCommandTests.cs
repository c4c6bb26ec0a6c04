using System.CommandLine;
using Microsoft.ML.OnnxRuntime;
using Recurrent.Cli.Commands;
using Recurrent.Models;
using Recurrent.Tests.Support;
using Recurrent.Training;

namespace Recurrent.Tests.Cli;

/// <summary><c>recurrent import pytorch</c> and <c>recurrent export --onnx</c> end to end.</summary>
public sealed class InteropCommandTests
{
    private static int Run(params string[] args) =>
        CommandTree.Create().Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = TextWriter.Null, Error = TextWriter.Null });

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Interop", "PyTorch", name);

    [Fact]
    public void Import_then_export_gives_a_checkpoint_and_an_onnx_model()
    {
        using var dir = new TempDirectory();
        string vocab = dir.File("vocab.txt"), checkpoint = dir.File("lm.ckpt"), onnx = dir.File("lm.onnx"), step = dir.File("step.onnx");
        File.WriteAllLines(vocab, ["<unk>", "<eos>", .. Enumerable.Range(2, 10).Select(i => $"w{i}")]);
        Assert.Equal(0, Run("import", "pytorch", Fixture("word_lstm.safetensors"), "--kind", "word", "--vocab", vocab, "--out", checkpoint));
        LoadedCheckpoint loaded = ModelCheckpoint.Load(checkpoint);
        Assert.Equal("word", loaded.Kind);
        Assert.Equal(2, loaded.LanguageModel.Config.NumLayers);
        Assert.Equal("w11", global::Recurrent.Data.Vocabulary.FromJson(loaded.VocabularyJson).WordOf(11));

        // An existing checkpoint is kept unless --force.
        Assert.Contains("pass --force", Assert.Throws<RecurrentException>(() =>
            Run("import", "pytorch", Fixture("word_lstm.safetensors"), "--kind", "word", "--vocab", vocab, "--out", checkpoint)).Message);

        Assert.Equal(0, Run("export", checkpoint, "--onnx", onnx));
        Assert.Equal(0, Run("export", checkpoint, "--onnx", step, "--mode", "step"));
        using (var session = new InferenceSession(onnx))
        {
            Assert.Equal(["tokens", "state_h", "state_c"], session.InputNames);
            Assert.Equal(["logits", "state_h_out", "state_c_out"], session.OutputNames);
            Assert.Equal([-1, -1], session.InputMetadata["tokens"].Dimensions);
            Assert.Equal("word", session.ModelMetadata.CustomMetadataMap["recurrent.model_kind"]);
            Assert.Contains("\"w11\"", session.ModelMetadata.CustomMetadataMap["vocabulary"]);
        }
        using (var session = new InferenceSession(step))
            Assert.Equal([-1], session.InputMetadata["tokens"].Dimensions);
    }

    [Fact]
    public void A_classifier_imports_with_its_labels_and_refuses_step_mode()
    {
        using var dir = new TempDirectory();
        string vocab = dir.File("vocab.json"), checkpoint = dir.File("c.ckpt");
        File.WriteAllText(vocab, "[\"<pad>\", \"<unk>\"" + string.Concat(Enumerable.Range(2, 11).Select(i => $", \"w{i}\"")) + "]");
        Assert.Equal(0, Run("import", "pytorch", Fixture("classifier_bilstm_mean.safetensors"), "--kind", "classifier", "--vocab", vocab,
            "--labels", "neg,neu,pos", "--head", "mean", "--out", checkpoint));
        ClassifierCheckpoint loaded = ClassifierCheckpoint.From(ModelCheckpoint.Load(checkpoint));
        Assert.Equal(["neg", "neu", "pos"], loaded.Labels);
        Assert.Equal(ClassifierHead.Mean, loaded.Model.Config.Head);
        Assert.True(loaded.Model.Config.Bidirectional);
        Assert.Contains("applies to language models only", Assert.Throws<RecurrentException>(() =>
            Run("export", checkpoint, "--onnx", dir.File("c.onnx"), "--mode", "step")).Message);
        Assert.False(File.Exists(dir.File("c.onnx")));
        Assert.Equal(0, Run("export", checkpoint, "--onnx", dir.File("c.onnx")));
    }
}
