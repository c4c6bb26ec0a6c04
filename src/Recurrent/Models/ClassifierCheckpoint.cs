using System.Text.Json;
using Recurrent.Data;
using Recurrent.Training;

namespace Recurrent.Models;

/// <summary>A classifier read from its checkpoint with what it needs to classify raw text: its vocabulary and its labels in class order.</summary>
public sealed record ClassifierCheckpoint(SequenceClassifier Model, Vocabulary Vocabulary, string[] Labels, LoadedCheckpoint Loaded)
{
    /// <summary>Reads the vocabulary and the labels (<see cref="ModelCheckpoint.LabelsKey"/>, a JSON array) of a classifier checkpoint.</summary>
    /// <exception cref="RecurrentException">The checkpoint holds another kind, or its labels are malformed or do not match the class count.</exception>
    public static ClassifierCheckpoint From(LoadedCheckpoint loaded)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        if (loaded.Model is not SequenceClassifier model)
            throw new RecurrentException($"{loaded.Path} holds a {loaded.Kind} model, not a classifier.");
        string[] labels;
        try
        {
            labels = JsonSerializer.Deserialize<string[]>(loaded.Metadata(ModelCheckpoint.LabelsKey)) ?? [];
        }
        catch (JsonException e)
        {
            throw new RecurrentException($"{loaded.Path}: the labels entry is not a JSON array of strings ({e.Message}).");
        }
        if (labels.Length != model.Config.Classes)
            throw new RecurrentException($"{loaded.Path}: {labels.Length} labels for a {model.Config.Classes}-class model.");
        return new ClassifierCheckpoint(model, Vocabulary.FromJson(loaded.VocabularyJson), labels, loaded);
    }
}
