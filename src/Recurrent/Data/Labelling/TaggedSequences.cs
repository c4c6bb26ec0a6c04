using Recurrent.Data.Classification;

namespace Recurrent.Data.Labelling;

/// <summary>
/// Sentences encoded for a tagger (<see cref="TaggingVocabularies.Encode"/>), stored back to back: token i of
/// sentence s is at <c>Offsets[s] + i</c> in every per-token array. What <see cref="TaggingBatcher"/> batches.
/// </summary>
/// <remarks>
/// Each distinct written form of a word (case kept) is stored once, as character ids, and tokens refer to it by
/// <see cref="Forms"/>; a batch then runs the character model once per distinct form it holds.
/// </remarks>
public sealed class TaggedSequences
{
    internal TaggedSequences(IReadOnlyList<LabelledSentence> sentences, int[] offsets, int[] words, int[] forms, int[] formChars, int[] formOffsets,
        int[][] features, float[] frames, int frameSize, int[] tags, long unknownWords)
    {
        Sentences = sentences;
        Offsets = offsets;
        Words = words;
        Forms = forms;
        FormChars = formChars;
        FormOffsets = formOffsets;
        Features = features;
        Frames = frames;
        FrameSize = frameSize;
        Tags = tags;
        UnknownWords = unknownWords;
        int max = 0, maxChars = 0;
        for (int s = 0; s < sentences.Count; s++) max = Math.Max(max, offsets[s + 1] - offsets[s]);
        for (int f = 0; f + 1 < formOffsets.Length; f++) maxChars = Math.Max(maxChars, formOffsets[f + 1] - formOffsets[f]);
        MaxLength = max;
        MaxFormLength = maxChars;
        // The batcher orders and buckets by length only; it never reads these ids.
        Shape = new EncodedExamples(words.Length == offsets[^1] ? words : new int[offsets[^1]], offsets, new int[sentences.Count]);
    }

    /// <summary>The sentences encoded, in order (their strings, sources and gold tags).</summary>
    public IReadOnlyList<LabelledSentence> Sentences { get; }

    /// <summary>Number of sentences.</summary>
    public int Count => Sentences.Count;

    /// <summary><c>Count + 1</c> offsets of the sentences in the per-token arrays.</summary>
    internal int[] Offsets { get; }

    /// <summary>Word id of each token; empty when the model has no word input.</summary>
    internal int[] Words { get; }

    /// <summary>Form id of each token (an index into the forms); empty when the model has no character input.</summary>
    internal int[] Forms { get; }

    /// <summary>Character ids of the forms, back to back; form f is <c>FormChars[FormOffsets[f] .. FormOffsets[f + 1])</c>.</summary>
    internal int[] FormChars { get; }

    /// <summary><c>FormCount + 1</c> offsets into <see cref="FormChars"/>.</summary>
    internal int[] FormOffsets { get; }

    /// <summary>Distinct forms.</summary>
    internal int FormCount => Math.Max(0, FormOffsets.Length - 1);

    /// <summary>The longest form, in characters.</summary>
    internal int MaxFormLength { get; }

    /// <summary><c>Features[c][i]</c>: the id of feature column c at token i; one array per column the model uses.</summary>
    internal int[][] Features { get; }

    /// <summary>[tokens, FrameSize] dense inputs; empty when there are none.</summary>
    internal float[] Frames { get; }

    /// <summary>Floats per position for frame sequences (OCR letters); 0 for text.</summary>
    public int FrameSize { get; }

    /// <summary>Tag id of each token in the model's encoding, −1 for a tag the model does not know; empty when encoded without tags.</summary>
    internal int[] Tags { get; }

    /// <summary>Whether gold tags were encoded.</summary>
    public bool HasTags => Tags.Length > 0 || TotalTokens == 0;

    /// <summary>Tokens whose word is not in the vocabulary (looked up as &lt;unk&gt;).</summary>
    public long UnknownWords { get; }

    /// <summary>All tokens.</summary>
    public int TotalTokens => Offsets[^1];

    /// <summary>The longest sentence.</summary>
    public int MaxLength { get; }

    /// <summary>The length of sentence <paramref name="sentence"/>.</summary>
    public int LengthOf(int sentence) => Offsets[sentence + 1] - Offsets[sentence];

    /// <summary>The sentences' lengths as <see cref="SequenceBatcher"/> reads them.</summary>
    internal EncodedExamples Shape { get; }
}
