using System.Text;
using System.Text.Json;
using Recurrent.Data.Classification;

namespace Recurrent.Data.Labelling;

/// <summary>Which inputs a tagger reads and how its words and tags are prepared.</summary>
public sealed record TaggingOptions
{
    /// <summary>Look each word up in a word vocabulary.</summary>
    public bool Words { get; init; } = true;

    /// <summary>Spell each word out as characters (case kept) for a character model.</summary>
    public bool Characters { get; init; }

    /// <summary>Look up the extra feature columns (CoNLL-2000's POS) in vocabularies of their own.</summary>
    public bool Features { get; init; }

    /// <summary>Dense floats per token (OCR: 128); 0 for text.</summary>
    public int FrameSize { get; init; }

    /// <summary>Words are looked up lower-cased.</summary>
    public bool Lowercase { get; init; }

    /// <summary>Words are looked up with every decimal digit replaced by 0.</summary>
    public bool ZeroDigits { get; init; }

    /// <summary>Longer words are spelled as their first ⌈n/2⌉ and last ⌊n/2⌋ characters.</summary>
    public int MaxWordChars { get; init; } = 30;

    /// <summary>How tags are learned.</summary>
    public TagEncoding TagEncoding { get; init; }

    /// <summary>Words seen fewer times in training become &lt;unk&gt;.</summary>
    public int MinCount { get; init; } = 1;

    /// <summary>At most this many word entries, &lt;pad&gt; and &lt;unk&gt; included; 0 for all.</summary>
    public int MaxVocab { get; init; }
}

/// <summary>
/// What a tagger maps its inputs and outputs with: the word vocabulary, the character vocabulary, one vocabulary per
/// feature column, and the tag set in the model's encoding; and the encoding of sentences into
/// <see cref="TaggedSequences"/>.
/// </summary>
/// <remarks>
/// Every vocabulary starts with <c>&lt;pad&gt;</c> (0) and <c>&lt;unk&gt;</c> (1), then lists what the training
/// sentences hold, most frequent first (ties in ordinal order). Characters are Unicode scalar values. The tag set
/// holds the training and development tags after <see cref="TaggingOptions.TagEncoding"/>, in ordinal order.
/// </remarks>
public sealed class TaggingVocabularies
{
    /// <summary>Checkpoint metadata key of the character vocabulary (JSON array).</summary>
    public const string CharactersKey = "characters";

    /// <summary>Checkpoint metadata key of the feature vocabularies (JSON array of arrays).</summary>
    public const string FeaturesKey = "features";

    private static readonly Vocabulary Empty = new([ClassificationVocabulary.Padding, Vocabulary.Unknown]);

    /// <summary>Vocabularies read back or built elsewhere; <see cref="Build"/> makes them from training sentences.</summary>
    public TaggingVocabularies(TaggingOptions options, Vocabulary words, Vocabulary characters, IReadOnlyList<Vocabulary> features, TagSet tags)
    {
        Options = options;
        Words = words;
        Characters = characters;
        Features = features;
        Tags = tags;
        IsChunkTagging = IsChunkTagSet(tags.Names);
        // IOBES → BIO is a per-tag mapping (S-X → B-X, E-X → I-X), so predicted ids turn into data tags one by one.
        _dataTags = options.TagEncoding == TagEncoding.Iobes && tags.Count > 0 ? ChunkTags.IobesToBio(tags.Names) : [.. tags.Names];
    }

    private readonly string[] _dataTags;

    /// <summary>What the model reads (words, characters, features, frames) and how tags are encoded.</summary>
    public TaggingOptions Options { get; }

    /// <summary>The word vocabulary (just &lt;pad&gt; and &lt;unk&gt; when words are not read).</summary>
    public Vocabulary Words { get; }

    /// <summary>The character vocabulary of the character BiLSTM (just &lt;pad&gt; and &lt;unk&gt; when characters are not read).</summary>
    public Vocabulary Characters { get; }

    /// <summary>One vocabulary per feature column read (empty when features are not read).</summary>
    public IReadOnlyList<Vocabulary> Features { get; }

    /// <summary>The tags the model predicts, in its encoding.</summary>
    public TagSet Tags { get; }

    /// <summary>Whether the tags are chunk tags (O, or B/I/E/S-TYPE), scored by chunk precision, recall and F1.</summary>
    public bool IsChunkTagging { get; }

    /// <summary>True when every tag is <c>O</c> or <c>P-TYPE</c> with P one of B, I, E, S, and some tag begins a chunk.</summary>
    public static bool IsChunkTagSet(IEnumerable<string> tags)
    {
        bool begins = false;
        foreach (string tag in tags)
        {
            if (tag == "O") continue;
            if (tag.Length < 3 || tag[1] != '-' || "BIES".IndexOf(tag[0]) < 0) return false;
            begins |= tag[0] is 'B' or 'S';
        }
        return begins;
    }

    /// <summary>
    /// Builds the vocabularies from the training sentences and the tag set from the training and development ones.
    /// <paramref name="extraWords"/> (already normalised, see <see cref="WordKey"/>) are added after the training
    /// words: words of other splits that pretrained vectors cover, so they keep their vector.
    /// </summary>
    /// <exception cref="RecurrentException">A sentence lacks an input the options ask for, or its tags do not fit the encoding.</exception>
    public static TaggingVocabularies Build(IReadOnlyList<LabelledSentence> train, IReadOnlyList<LabelledSentence> dev, TaggingOptions options, IEnumerable<string>? extraWords = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0) throw new RecurrentException("The training data holds no sentences.");
        var words = new Dictionary<string, int>(StringComparer.Ordinal);
        var chars = new Dictionary<string, int>(StringComparer.Ordinal);
        int featureColumns = options.Features ? train[0].FeatureArrays.Length : 0;
        var features = new Dictionary<string, int>[featureColumns];
        for (int c = 0; c < featureColumns; c++) features[c] = new Dictionary<string, int>(StringComparer.Ordinal);
        var tags = new SortedSet<string>(StringComparer.Ordinal);
        var builder = new StringBuilder();
        foreach (LabelledSentence s in train)
        {
            CheckInputs(s, options, featureColumns);
            for (int i = 0; i < s.Length; i++)
            {
                if (options.Words) Count(words, NormalizeWord(s.TokenArray[i], options, builder));
                if (options.Characters)
                    foreach (Rune r in s.TokenArray[i].EnumerateRunes()) Count(chars, r.ToString());
                for (int c = 0; c < featureColumns; c++) Count(features[c], s.FeatureArrays[c][i]);
            }
        }
        foreach (LabelledSentence s in train.Concat(dev))
            foreach (string tag in ModelTags(s, options.TagEncoding)) tags.Add(tag);

        Vocabulary wordVocabulary = options.Words ? ClassificationVocabulary.FromCounts(words, options.MaxVocab, options.MinCount) : Empty;
        if (extraWords is not null && options.Words)
        {
            var all = new List<string>(wordVocabulary.Words);
            var seen = new HashSet<string>(all, StringComparer.Ordinal);
            foreach (string w in extraWords)
                if (!string.IsNullOrEmpty(w) && seen.Add(w)) all.Add(w);
            wordVocabulary = new Vocabulary(all);
        }
        return new TaggingVocabularies(options, wordVocabulary,
            options.Characters ? ClassificationVocabulary.FromCounts(chars) : Empty,
            features.Select(f => ClassificationVocabulary.FromCounts(f)).ToArray(),
            new TagSet(tags));
    }

    private static void Count(Dictionary<string, int> counts, string key) =>
        System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, key, out _)++;

    /// <summary>The key a word is looked up by in the word vocabulary: lower-cased and digits zeroed as the options say.</summary>
    public string WordKey(string word) => NormalizeWord(word, Options, null);

    private static string NormalizeWord(string word, TaggingOptions options, StringBuilder? builder)
    {
        if (options.Lowercase) word = word.ToLowerInvariant();
        if (options.ZeroDigits && word.AsSpan().IndexOfAnyInRange('1', '9') >= 0)
        {
            builder ??= new StringBuilder();
            builder.Clear();
            foreach (char ch in word) builder.Append(ch is >= '1' and <= '9' ? '0' : ch);
            word = builder.ToString();
        }
        return word;
    }

    /// <summary>The word as the character model reads it: its first ⌈M/2⌉ and last ⌊M/2⌋ scalars when it has more than M.</summary>
    public static string Spelling(string word, int maxChars)
    {
        int count = 0;
        foreach (Rune _ in word.EnumerateRunes()) count++;
        if (count <= maxChars) return word;
        int head = (maxChars + 1) / 2, tail = maxChars / 2;
        var builder = new StringBuilder();
        int i = 0;
        foreach (Rune r in word.EnumerateRunes())
        {
            if (i < head || i >= count - tail) builder.Append(r.ToString());
            i++;
        }
        return builder.ToString();
    }

    /// <summary>The gold tags of <paramref name="sentence"/> in the model's encoding.</summary>
    /// <exception cref="RecurrentException">A tag is not a chunk tag while the encoding needs one (the message names the sentence).</exception>
    public string[] ModelTags(LabelledSentence sentence) => ModelTags(sentence, Options.TagEncoding);

    private static string[] ModelTags(LabelledSentence sentence, TagEncoding encoding)
    {
        try
        {
            return encoding switch
            {
                // Through IOBES and back: an I-X that starts a chunk (conlleval's reading) becomes B-X, so the gold
                // sequence obeys the BIO constraints with the same chunks.
                TagEncoding.Bio => ChunkTags.IobesToBio(ChunkTags.BioToIobes(sentence.TagArray)),
                TagEncoding.Iobes => ChunkTags.BioToIobes(sentence.TagArray),
                _ => sentence.TagArray,
            };
        }
        catch (RecurrentException e)
        {
            throw new RecurrentException($"{Where(sentence)}: {e.Message} Chunk encodings (bio, iobes) need O, B-TYPE and I-TYPE tags; use tag encoding none for other tags.", e);
        }
    }

    /// <summary>A predicted tag id as the data writes tags: IOBES back to BIO (S-X → B-X, E-X → I-X), otherwise its name.</summary>
    public string DataTag(int id) => (uint)id < (uint)_dataTags.Length ? _dataTags[id]
        : throw new ArgumentOutOfRangeException(nameof(id), $"Tag id {id} is outside [0, {_dataTags.Length}).");

    private static string Where(LabelledSentence s) => s.Source.Length > 0 ? $"{s.Source}, line {s.Line}" : "a sentence";

    private static void CheckInputs(LabelledSentence s, TaggingOptions options, int featureColumns)
    {
        if ((options.Words || options.Characters || featureColumns > 0) && s.TokenArray.Length == 0)
            throw new RecurrentException($"{Where(s)}: a sequence of frames, but the model reads words; use a frame model (OCR) for frame data.");
        if (options.FrameSize > 0 && s.FrameSize != options.FrameSize)
            throw new RecurrentException(s.FrameSize == 0
                ? $"{Where(s)}: a sentence of words, but the model reads frames of {options.FrameSize} floats."
                : $"{Where(s)}: frames of {s.FrameSize} floats, but the model reads frames of {options.FrameSize}.");
        if (s.FeatureArrays.Length != featureColumns && options.Features)
            throw new RecurrentException($"{Where(s)}: {s.FeatureArrays.Length} feature column{(s.FeatureArrays.Length == 1 ? "" : "s")} besides the word and the tag, but the model reads {featureColumns}.");
    }

    /// <summary>
    /// Encodes <paramref name="sentences"/>: word ids (unknown words → &lt;unk&gt;), spellings, feature ids (unknown →
    /// &lt;unk&gt;), frames, and with <paramref name="withTags"/> the tag ids in the model's encoding (−1 for a tag the
    /// tag set lacks, such as CoNLL-2000's test-only I-LST).
    /// </summary>
    /// <exception cref="RecurrentException">A sentence lacks an input the model reads (the message names its file and line).</exception>
    public TaggedSequences Encode(IReadOnlyList<LabelledSentence> sentences, bool withTags = true)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        TaggingOptions o = Options;
        int featureColumns = o.Features ? Features.Count : 0;
        var offsets = new int[sentences.Count + 1];
        for (int s = 0; s < sentences.Count; s++)
        {
            CheckInputs(sentences[s], o, featureColumns);
            offsets[s + 1] = offsets[s] + sentences[s].Length;
        }
        int n = offsets[^1];
        int[] words = o.Words ? new int[n] : [];
        int[] forms = o.Characters ? new int[n] : [];
        var features = new int[featureColumns][];
        for (int c = 0; c < featureColumns; c++) features[c] = new int[n];
        float[] frames = o.FrameSize > 0 ? new float[(long)n * o.FrameSize] : [];
        int[] tags = withTags ? new int[n] : [];
        var formIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var formChars = new List<int>();
        var formOffsets = new List<int> { 0 };
        var builder = new StringBuilder();
        long unknown = 0;
        for (int s = 0; s < sentences.Count; s++)
        {
            LabelledSentence sentence = sentences[s];
            int at = offsets[s];
            string[]? modelTags = withTags ? ModelTags(sentence) : null;
            for (int i = 0; i < sentence.Length; i++)
            {
                if (o.Words)
                {
                    if (!Words.TryGetId(NormalizeWord(sentence.TokenArray[i], o, builder), out int id))
                    {
                        id = ClassificationVocabulary.UnknownId;
                        unknown++;
                    }
                    words[at + i] = id;
                }
                if (o.Characters)
                {
                    string spelling = Spelling(sentence.TokenArray[i], o.MaxWordChars);
                    if (!formIds.TryGetValue(spelling, out int form))
                    {
                        form = formIds.Count;
                        formIds[spelling] = form;
                        foreach (Rune r in spelling.EnumerateRunes())
                            formChars.Add(Characters.TryGetId(r.ToString(), out int c) ? c : ClassificationVocabulary.UnknownId);
                        formOffsets.Add(formChars.Count);
                    }
                    forms[at + i] = form;
                }
                for (int c = 0; c < featureColumns; c++)
                    features[c][at + i] = Features[c].TryGetId(sentence.FeatureArrays[c][i], out int f) ? f : ClassificationVocabulary.UnknownId;
                if (modelTags is not null) tags[at + i] = Tags.TryGetId(modelTags[i], out int t) ? t : -1;
            }
            if (o.FrameSize > 0) sentence.FrameArray.CopyTo(frames, (long)at * o.FrameSize);
        }
        return new TaggedSequences(sentences, offsets, words, forms, formChars.ToArray(), formOffsets.ToArray(), features, frames, o.FrameSize, tags, unknown);
    }

    /// <summary>The feature vocabularies as a JSON array of arrays (checkpoint metadata).</summary>
    public string FeaturesJson() => "[" + string.Join(",", Features.Select(f => f.ToJson())) + "]";

    /// <summary>Rebuilds the vocabularies a checkpoint stored.</summary>
    /// <exception cref="RecurrentException">An entry is malformed.</exception>
    public static TaggingVocabularies FromJson(TaggingOptions options, string wordsJson, string charactersJson, string featuresJson, string tagsJson)
    {
        var features = new List<Vocabulary>();
        try
        {
            using JsonDocument document = JsonDocument.Parse(featuresJson);
            if (document.RootElement.ValueKind != JsonValueKind.Array) throw new RecurrentException("The feature vocabularies are not a JSON array.");
            foreach (JsonElement e in document.RootElement.EnumerateArray()) features.Add(Vocabulary.FromJson(e.GetRawText()));
        }
        catch (JsonException e)
        {
            throw new RecurrentException($"The feature vocabularies are not valid JSON: {e.Message}", e);
        }
        string[] tags;
        try
        {
            tags = JsonSerializer.Deserialize<string[]>(tagsJson) ?? [];
        }
        catch (JsonException e)
        {
            throw new RecurrentException($"The tag list is not a JSON array of strings: {e.Message}", e);
        }
        return new TaggingVocabularies(options, Vocabulary.FromJson(wordsJson), Vocabulary.FromJson(charactersJson), features, new TagSet(tags));
    }

    /// <summary>The words of <paramref name="sentences"/> (as looked up) that <paramref name="covered"/> accepts and the vocabulary lacks, in first-seen order.</summary>
    public static IEnumerable<string> WordsOf(IEnumerable<LabelledSentence> sentences, TaggingOptions options, Func<string, bool> covered)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var builder = new StringBuilder();
        foreach (LabelledSentence s in sentences)
            foreach (string token in s.TokenArray)
            {
                string key = NormalizeWord(token, options, builder);
                if (seen.Add(key) && covered(key)) yield return key;
            }
    }
}
