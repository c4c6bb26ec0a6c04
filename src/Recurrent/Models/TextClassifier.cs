using Recurrent.Data;
using Recurrent.Data.Classification;

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

    public TextClassifier(SequenceClassifier model, Vocabulary vocabulary, IReadOnlyList<string> labels)
    {
        _model = model;
        Labels = labels;
        _encoder = new TextEncoder(vocabulary, model.Config.MaxLength, model.Config.Truncate);
    }

    public IReadOnlyList<string> Labels { get; }

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
