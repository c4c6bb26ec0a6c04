using Recurrent.Data;
using Recurrent.Data.Classification;
using Recurrent.Training;

namespace Recurrent.Models;

/// <summary>
/// Classifies raw texts with a trained <see cref="SequenceClassifier"/>: tokenizes and encodes them as in training
/// (the config's max length and truncation), and returns the most probable label with every class's probability.
/// Holds its own buffers; make one per thread (over <see cref="SequenceClassifier.CreateInference"/>) to classify
/// concurrently.
/// </summary>
public sealed class TextClassifier
{
    private readonly SequenceClassifier _model;
    private readonly TextEncoder _encoder;

    /// <summary>A classifier over <paramref name="model"/>, which reads texts with <paramref name="vocabulary"/> and names its classes <paramref name="labels"/> (in class order).</summary>
    public TextClassifier(SequenceClassifier model, Vocabulary vocabulary, IReadOnlyList<string> labels)
    {
        _model = model;
        Labels = labels;
        _encoder = new TextEncoder(vocabulary, model.Config.MaxLength, model.Config.Truncate);
    }

    /// <summary>The class names, in class order.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>
    /// Loads a classifier from a checkpoint file, or from a run folder (its best checkpoint, else its last), with the
    /// vocabulary and labels it was trained with.
    /// </summary>
    /// <exception cref="RecurrentException">The path does not exist, is not a checkpoint, or holds another kind of model.</exception>
    public static TextClassifier Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        ClassifierCheckpoint checkpoint = ClassifierCheckpoint.From(ModelCheckpoint.LoadFileOrRun(path));
        return new TextClassifier(checkpoint.Model, checkpoint.Vocabulary, checkpoint.Labels);
    }

    /// <summary>The most probable label of <paramref name="text"/>, with every class's probability.</summary>
    public ClassPrediction Predict(string text)
    {
        var probabilities = new float[Labels.Count];
        int label = Predict(text, probabilities);
        return new ClassPrediction(Labels[label], label, probabilities);
    }

    /// <summary>Writes each class's probability into <paramref name="probabilities"/> (length = classes) and returns the most probable class.</summary>
    public int Predict(string text, Span<float> probabilities)
    {
        int[] tokens = _encoder.Encode(text);
        // An empty text still gets a prediction: one padding step, read as the model reads a text of nothing.
        if (tokens.Length == 0) tokens = [ClassificationVocabulary.PaddingId];
        int steps = tokens.Length;
        if (_model.Config.LeftPad && steps < _model.Config.MaxLength)
        {
            var padded = new int[_model.Config.MaxLength];
            tokens.CopyTo(padded, padded.Length - steps);
            tokens = padded;
            steps = padded.Length;
        }
        _model.Evaluate(tokens, steps, 1, _model.Config.LeftPad ? default : [tokens.Length], default, probabilities);
        return SequenceClassifierTask.ArgMax(probabilities[.._model.Config.Classes]);
    }
}
