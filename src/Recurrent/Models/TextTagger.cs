using Recurrent.Data.Labelling;
using Recurrent.Training;

namespace Recurrent.Models;

/// <summary>
/// Tags sentences with a trained <see cref="SequenceTagger"/>: encodes them with the vocabularies it was trained with
/// and returns one tag per token, as the training data writes tags (BIO chunks stay BIO when the model learnt IOBES).
/// The model's buffers are reused, so one tagger serves one thread at a time.
/// </summary>
public sealed class TextTagger
{
    /// <summary>A tagger over <paramref name="model"/> that reads sentences with <paramref name="vocabularies"/>.</summary>
    public TextTagger(SequenceTagger model, TaggingVocabularies vocabularies)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(vocabularies);
        Model = model;
        Vocabularies = vocabularies;
    }

    /// <summary>The network.</summary>
    public SequenceTagger Model { get; }

    /// <summary>Its words, characters, feature values and tags.</summary>
    public TaggingVocabularies Vocabularies { get; }

    /// <summary>Loads a tagger from a checkpoint file, or from a run folder (its best checkpoint, else its last), with its vocabularies.</summary>
    /// <exception cref="RecurrentException">The path does not exist, is not a checkpoint, or holds another kind of model.</exception>
    public static TextTagger Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        LoadedCheckpoint loaded = ModelCheckpoint.LoadFileOrRun(path);
        if (loaded.Model is not SequenceTagger model)
            throw new RecurrentException($"{loaded.Path} holds a {loaded.Kind} model, not a tagger.");
        return new TextTagger(model, SequenceTaggerTask.VocabulariesOf(loaded));
    }

    /// <summary>The tags of a sentence whose tokens are separated by white space; empty for a blank sentence.</summary>
    /// <exception cref="RecurrentException">The model reads feature columns or frames besides words (use <see cref="Tag(IReadOnlyList{LabelledSentence})"/>).</exception>
    public string[] Tag(string sentence)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        return Tag(sentence.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>One tag per token of <paramref name="tokens"/>; empty for no tokens.</summary>
    /// <exception cref="RecurrentException">The model reads feature columns or frames besides words (use <see cref="Tag(IReadOnlyList{LabelledSentence})"/>).</exception>
    public string[] Tag(IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        SequenceTaggerConfig c = Model.Config;
        if (c.FrameSize > 0) throw new RecurrentException($"The model reads frames of {c.FrameSize} values, not words; tag LabelledSentence frame sequences instead.");
        if (c.UsesFeatures) throw new RecurrentException($"The model reads {c.FeatureVocabSizes.Length} feature column(s) besides each word; tag LabelledSentence values that carry them instead.");
        if (tokens.Count == 0) return [];
        var placeholders = new string[tokens.Count];
        Array.Fill(placeholders, "_");
        return Tag([new LabelledSentence([.. tokens], placeholders)])[0];
    }

    /// <summary>The tags of each sentence (words with their feature columns, or frames), in order; their own tags are ignored.</summary>
    public string[][] Tag(IReadOnlyList<LabelledSentence> sentences)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        return SequenceTaggerTask.Predict(Model, Vocabularies, sentences);
    }
}
