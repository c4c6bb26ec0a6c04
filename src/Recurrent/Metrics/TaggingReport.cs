using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Recurrent.Metrics;

/// <summary>
/// A tagger's scores on tagged sentences: token accuracy (<c>correct tokens / tokens</c>), sentence error (the share
/// of sentences with at least one wrong tag: OCR's word error), and for chunk tags conlleval's chunk precision,
/// recall and F1 (<see cref="ChunkScorer"/>, on the tags as the data writes them).
/// </summary>
public sealed class TaggingReport
{
    private readonly ChunkScorer? _chunks;
    private long _tokens, _correct, _sentences, _wrongSentences;

    /// <param name="chunks">Also score chunks, with conlleval's rules.</param>
    public TaggingReport(bool chunks) => _chunks = chunks ? new ChunkScorer() : null;

    /// <summary>Tokens scored.</summary>
    public long Tokens => _tokens;

    /// <summary>Tokens whose predicted tag equals the gold tag.</summary>
    public long CorrectTokens => _correct;

    /// <summary>Sentences scored.</summary>
    public long Sentences => _sentences;

    /// <summary>Sentences with at least one wrong tag.</summary>
    public long WrongSentences => _wrongSentences;

    /// <summary>Token accuracy, a fraction (0 without tokens).</summary>
    public double Accuracy => _tokens > 0 ? (double)_correct / _tokens : 0;

    /// <summary>Share of sentences with a wrong tag (0 without sentences).</summary>
    public double SentenceError => _sentences > 0 ? (double)_wrongSentences / _sentences : 0;

    /// <summary>conlleval's chunk scores; null when chunks are not scored.</summary>
    public ChunkScores? Chunks => _chunks?.Result();

    /// <summary>Counts one token; call <see cref="EndSentence"/> after a sentence's last token.</summary>
    public void AddToken(string gold, string predicted)
    {
        bool right = string.Equals(gold, predicted, StringComparison.Ordinal);
        _tokens++;
        if (right) _correct++;
        else _sentenceWrong = true;
        _chunks?.AddToken(gold, predicted);
    }

    private bool _sentenceWrong;

    /// <summary>Ends a sentence: it counts as wrong when any of its tokens was.</summary>
    public void EndSentence()
    {
        _sentences++;
        if (_sentenceWrong) _wrongSentences++;
        _sentenceWrong = false;
        _chunks?.EndSentence();
    }

    /// <summary>Counts a whole sentence.</summary>
    public void AddSentence(IReadOnlyList<string> gold, IReadOnlyList<string> predicted)
    {
        if (gold.Count != predicted.Count) throw new ArgumentException($"{gold.Count} gold tags but {predicted.Count} predicted tags.", nameof(predicted));
        for (int i = 0; i < gold.Count; i++) AddToken(gold[i], predicted[i]);
        EndSentence();
    }

    /// <summary>
    /// The report as JSON: tokens, sentences, accuracy and sentence error as fractions, and for chunks their counts,
    /// precision, recall and F1 in percent (conlleval's terms) overall and per type, with conlleval's text.
    /// </summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("tokens", _tokens);
            json.WriteNumber("sentences", _sentences);
            json.WriteNumber("accuracy", Math.Round(Accuracy, 6));
            json.WriteNumber("sentence_error", Math.Round(SentenceError, 6));
            if (Chunks is { } c)
            {
                json.WriteStartObject("chunks");
                WriteScore(json, c.Overall);
                json.WriteStartArray("per_type");
                foreach (ChunkTypeScore t in c.PerType)
                {
                    json.WriteStartObject();
                    json.WriteString("type", t.Type);
                    WriteScore(json, t);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteString("conlleval", c.ToString());
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteScore(Utf8JsonWriter json, ChunkTypeScore s)
    {
        json.WriteNumber("gold", s.GoldChunks);
        json.WriteNumber("predicted", s.PredictedChunks);
        json.WriteNumber("correct", s.CorrectChunks);
        json.WriteNumber("precision", Math.Round(s.Precision, 4));
        json.WriteNumber("recall", Math.Round(s.Recall, 4));
        json.WriteNumber("f1", Math.Round(s.F1, 4));
    }

    /// <summary>One line: accuracy, sentence error and, for chunks, P/R/F1.</summary>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        string text = string.Create(c, $"{_tokens:N0} tokens in {_sentences:N0} sentences: accuracy {100 * Accuracy:F2} %, sentence error {100 * SentenceError:F2} %");
        if (Chunks is { } s) text += string.Create(c, $"; chunks precision {s.Precision:F2}, recall {s.Recall:F2}, F1 {s.F1:F2}");
        return text;
    }
}
