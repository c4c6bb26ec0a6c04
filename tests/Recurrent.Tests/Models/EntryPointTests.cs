using System.Text.Json;
using Recurrent.Data;
using Recurrent.Data.Labelling;
using Recurrent.Embeddings;
using Recurrent.Layers;
using Recurrent.Models;
using Recurrent.Tests.Support;
using Recurrent.Text;
using Recurrent.Training;

namespace Recurrent.Tests.Models;

/// <summary>
/// The library's text-level entry points (docs/library.md): <see cref="LanguageModel.Load"/> with NextTokens,
/// Generate and Score, <see cref="TextClassifier.Load"/>, <see cref="TextTagger"/> and <see cref="WordVectors.Load"/>,
/// each checked against the span-level API computed independently (brute force, one prefix at a time).
/// </summary>
public sealed class EntryPointTests
{
    private const string Text = "abcabd cab\nbad dab\n";

    /// <summary>An untrained character model with large weights, so its distributions are far from uniform.</summary>
    private static LanguageModel CharModel(out CharVocabulary vocabulary)
    {
        vocabulary = CharVocabulary.FromText(Text);
        var model = new LanguageModel(new LanguageModelConfig
        {
            VocabSize = vocabulary.Count, EmbeddingSize = 6, HiddenSize = 10, NumLayers = 2, InitScale = 1f, Seed = 3,
        });
        model.Codec = new CharCodec(vocabulary);
        return model;
    }

    /// <summary>The next-token distribution after <paramref name="context"/>, from a fresh state.</summary>
    private static float[] Distribution(LanguageModel model, ReadOnlySpan<int> context)
    {
        var p = new float[model.Config.VocabSize];
        model.PredictNext(context, model.CreateState(1), p);
        return p;
    }

    [Fact]
    public void NextTokensAreTheLargestProbabilitiesInOrder()
    {
        LanguageModel model = CharModel(out CharVocabulary vocabulary);
        float[] p = Distribution(model, vocabulary.Encode("ab", mapUnknown: false, "test"));
        int[] byProbability = Enumerable.Range(0, p.Length).OrderByDescending(i => p[i]).ThenBy(i => i).ToArray();

        IReadOnlyList<TokenCandidate> next = model.NextTokens("ab", 3);
        Assert.Equal(3, next.Count);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(byProbability[i], next[i].Id);
            Assert.Equal(vocabulary.CharOf(byProbability[i]), next[i].Token);
            Assert.Equal(p[byProbability[i]], next[i].Probability);
        }
        // Asking for more than the vocabulary gives all of it, a distribution summing to 1.
        IReadOnlyList<TokenCandidate> all = model.NextTokens("ab", 100);
        Assert.Equal(vocabulary.Count, all.Count);
        Assert.Equal(1.0, all.Sum(c => (double)c.Probability), 4);
    }

    [Fact]
    public void ScoreIsTheSumOfEachCharactersLogProbabilityAfterANewLine()
    {
        LanguageModel model = CharModel(out CharVocabulary vocabulary);
        const string sentence = "cab bad";
        int[] ids = vocabulary.Encode("\n" + sentence, mapUnknown: false, "test");
        double expected = 0;
        for (int t = 1; t < ids.Length; t++)
            expected += Math.Log(Distribution(model, ids.AsSpan(0, t))[ids[t]]);

        SentenceScore score = model.Score(sentence);
        Assert.Equal(sentence.Length, score.Tokens);
        Assert.Equal(expected, score.LogProbability, 1e-4 * Math.Abs(expected));
        Assert.Equal(Math.Exp(-expected / sentence.Length), score.Perplexity, 1e-3);
    }

    [Fact]
    public void GenerateWithTopOneFollowsTheMostProbableCharacter()
    {
        LanguageModel model = CharModel(out _);
        string generated = model.Generate("ab", 12, topK: 1);
        Assert.Equal(12, generated.Length);
        // Brute force: re-read the whole text each time and take the most probable next character.
        string text = "ab";
        for (int i = 0; i < 12; i++) text += model.NextTokens(text, 1)[0].Token;
        Assert.Equal(text[2..], generated);
    }

    [Fact]
    public void GenerateDependsOnlyOnTheSeedAndStreamsTheSameText()
    {
        LanguageModel model = CharModel(out CharVocabulary vocabulary);
        string first = model.Generate("", 40, temperature: 1.5f, seed: 9);
        Assert.Equal(first, model.Generate("", 40, temperature: 1.5f, seed: 9));
        Assert.All(first, c => Assert.True(vocabulary.TryGetId(new System.Text.Rune(c), out _)));
        var streamed = new System.Text.StringBuilder();
        model.Generate("", 40, token => streamed.Append(token), temperature: 1.5f, seed: 9);
        Assert.Equal(first, streamed.ToString());
        Assert.NotEqual(first, model.Generate("", 40, temperature: 1.5f, seed: 10)); // 40 draws at T = 1.5 from 8 characters
    }

    [Fact]
    public void WithoutACodecTheTextMethodsSayHowToGetOne()
    {
        LanguageModel model = CharModel(out CharVocabulary vocabulary);
        model.Codec = null;
        var e = Assert.Throws<InvalidOperationException>(() => model.NextTokens("ab"));
        Assert.Contains("LanguageModel.Load", e.Message);
        Assert.Throws<RecurrentException>(() => model.Codec = new CharCodec(CharVocabulary.FromText("xyz\n")));
    }

    [Fact]
    public void LoadReadsAFileOrARunFolderWithItsCodec()
    {
        LanguageModel model = CharModel(out CharVocabulary vocabulary);
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, Trainer.BestCheckpointName);
        ModelCheckpoint.Save(path, model, "char", new Dictionary<string, string> { [ModelCheckpoint.VocabularyKey] = vocabulary.ToJson() });

        foreach (string from in (string[])[path, dir.Path])
        {
            LanguageModel loaded = LanguageModel.Load(from);
            Assert.IsType<CharCodec>(loaded.Codec);
            Assert.Equal(model.NextTokens("ca", 5), loaded.NextTokens("ca", 5));
            Assert.Equal(model.Score("dab").LogProbability, loaded.Score("dab").LogProbability);
            Assert.Equal(model.Generate("b", 20, seed: 4), loaded.Generate("b", 20, seed: 4));
            Assert.Equal(loaded.Codec, loaded.CreateInference().Codec);
        }
        var e = Assert.Throws<RecurrentException>(() => LanguageModel.Load(Path.Combine(dir.Path, "missing.ckpt")));
        Assert.Contains("missing.ckpt", e.Message);
    }

    [Fact]
    public void WordModelsScoreTheEndOfTheSentenceAndGenerateWords()
    {
        var vocabulary = new Vocabulary(["<eos>", "<unk>", "the", "cat", "sat"]);
        var model = new LanguageModel(new LanguageModelConfig { VocabSize = vocabulary.Count, HiddenSize = 8, NumLayers = 1, InitScale = 1f, Seed = 2 })
        {
            Codec = new WordCodec(vocabulary),
        };
        int eos = vocabulary.IdOf("<eos>");
        int[] ids = [eos, vocabulary.IdOf("the"), vocabulary.IdOf("cat"), eos];
        double expected = 0;
        for (int t = 1; t < ids.Length; t++) expected += Math.Log(Distribution(model, ids.AsSpan(0, t))[ids[t]]);
        SentenceScore score = model.Score("the cat");
        Assert.Equal(3, score.Tokens); // the, cat and the end of the sentence
        Assert.Equal(expected, score.LogProbability, 1e-4 * Math.Abs(expected));

        string text = model.Generate("the", 15, seed: 1);
        int words = text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Length + text.Count(c => c == '\n');
        Assert.Equal(15, words); // each token is a word and a space, or a new line for <eos>
    }

    [Fact]
    public void TextClassifierLoadAndPredictAgreeWithTheModel()
    {
        var vocabulary = new Vocabulary(["<pad>", "<unk>", "good", "bad", "film"]);
        var model = new SequenceClassifier(new SequenceClassifierConfig
        {
            VocabSize = vocabulary.Count, Classes = 2, EmbeddingSize = 4, HiddenSize = 5, InitScale = 1f, EmbeddingInitScale = 1f, Seed = 4,
        });
        string[] labels = ["neg", "pos"];
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "model.ckpt");
        ModelCheckpoint.Save(path, model, "classifier", new Dictionary<string, string>
        {
            [ModelCheckpoint.VocabularyKey] = vocabulary.ToJson(),
            [ModelCheckpoint.LabelsKey] = JsonSerializer.Serialize(labels),
        });

        TextClassifier loaded = TextClassifier.Load(path);
        Assert.Equal(labels, loaded.Labels);
        var expected = new float[2];
        int label = new TextClassifier(model, vocabulary, labels).Predict("A good film", expected);
        ClassPrediction prediction = loaded.Predict("A good film");
        Assert.Equal(label, prediction.Class);
        Assert.Equal(labels[label], prediction.Label);
        Assert.Equal(expected, prediction.Probabilities);
        Assert.Equal(expected[label], prediction.Probability);
        Assert.Equal(1.0, prediction.Probabilities.Sum(p => (double)p), 5);

        var e = Assert.Throws<RecurrentException>(() => LanguageModel.Load(path));
        Assert.Contains("not a language model", e.Message);
    }

    [Fact]
    public void TextTaggerTagsAsTheTaskPredicts()
    {
        List<LabelledSentence> train =
        [
            new(["The", "cat", "sat"], ["B-NP", "I-NP", "B-VP"]),
            new(["Dogs", "bark", "loudly"], ["B-NP", "B-VP", "O"]),
        ];
        var config = new SequenceTaggerConfig
        {
            WordEmbeddingSize = 4, CharEmbeddingSize = 3, CharHiddenSize = 2, MaxWordChars = 4, FeatureEmbeddingSize = 0,
            HiddenSize = 4, InitScale = 1f, EmbeddingInitScale = 1f, Output = TaggerOutput.Crf, TagEncoding = TagEncoding.Iobes, Seed = 5,
        };
        (SequenceTagger model, TaggingVocabularies vocabularies) = SequenceTaggerTask.CreateModel(config, train, []);
        var random = new Recurrent.Tensors.RandomGenerator(8);
        foreach (Parameter p in model.Parameters) random.FillUniform(p.Value.Span, -1f, 1f); // a CRF starts at zero
        SequenceTaggerTask.ApplyConstraints(model, vocabularies); // as loading does: IOBES transitions the encoding forbids
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "tagger.ckpt");
        ModelCheckpoint.Save(path, model, "tagger", SequenceTaggerTask.Metadata(vocabularies));

        TextTagger tagger = TextTagger.Load(path);
        string[] tokens = ["The", "dog", "barks", "at", "cats"];
        string[] expected = SequenceTaggerTask.Predict(model, vocabularies, [new LabelledSentence(tokens, ["_", "_", "_", "_", "_"])])[0];
        Assert.Equal(expected, tagger.Tag("The dog  barks at\tcats"));
        Assert.Equal(expected, tagger.Tag(tokens));
        Assert.All(expected, tag => Assert.Contains(tag, (string[])["B-NP", "I-NP", "B-VP", "O"])); // BIO, as the data writes tags
        Assert.Empty(tagger.Tag("   "));
        Assert.Throws<RecurrentException>(() => TextTagger.Load(Path.Combine(dir.Path, "none.ckpt")));
    }

    [Fact]
    public void WordVectorsLoadFindsTheNearestWords()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "vectors.txt");
        var vectors = new WordVectors(["king", "queen", "apple"], [1f, 0f, 0.9f, 0.1f, 0f, 1f], 2);
        WordVectorsFile.Write(path, vectors, binary: false);
        IReadOnlyList<WordScore> nearest = WordVectors.Load(path).Nearest("king", 2);
        Assert.Equal(["queen", "apple"], nearest.Select(s => s.Word));
        Assert.Equal(0.9 / Math.Sqrt(0.82), nearest[0].Similarity, 5);
    }
}
