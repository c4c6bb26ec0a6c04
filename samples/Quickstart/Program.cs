// Quickstart: train a small character-level LSTM on a string, then load it and use it — next characters,
// generated text and sentence scores. Exits 1 when the model did not learn what the text makes easy to learn.
using Recurrent.Data;
using Recurrent.Models;
using Recurrent.Text;
using Recurrent.Training;

string text = string.Concat(Enumerable.Repeat("the cat sat on the mat.\nthe dog sat on the log.\nthe bird sat on the wire.\n", 150));
CharCorpus corpus = CharCorpus.FromText(text, "quickstart text"); // the last 10 % is kept for validation

// A preset, made small: 1 × 64 LSTM over a 16-wide embedding, batches of 16 streams × 32 steps.
LanguageModelConfig config = CharModelPresets.Default with
{
    VocabSize = corpus.Vocabulary.Count, EmbeddingSize = 16, HiddenSize = 64, NumLayers = 1,
    BatchSize = 16, NumSteps = 32, LearningRate = 0.01f, MaxEpoch = 4, MaxMaxEpoch = 4,
};
var model = new LanguageModel(config);
var task = new LanguageModelTask("char", model, corpus.Vocabulary.ToJson(), corpus.Train, corpus.Valid);

// The trainer of the command-line tool: checkpoints, metrics.jsonl and curve.png land in the run folder.
string run = Path.Combine(Path.GetTempPath(), "recurrent-quickstart-" + Guid.NewGuid().ToString("N"));
var trainer = new Trainer(task, new TrainerOptions { RunDirectory = run }, SilentMonitor.Instance);
trainer.Run(CancellationToken.None);
EpochReport last = trainer.Position.History[^1];
Console.WriteLine($"trained {model.ParameterCount:N0} parameters for {trainer.Position.History.Count} epochs: validation {last.ValidBitsPerToken:F3} bits per character");

// Load the best checkpoint of the run, with its vocabulary, as a program that did not train it would.
LanguageModel lm = LanguageModel.Load(run);
IReadOnlyList<TokenCandidate> next = lm.NextTokens("the ca", 3);
Console.WriteLine("after 'the ca': " + string.Join(", ", next.Select(c => $"'{c.Token}' {c.Probability:P1}")));
string generated = lm.Generate("the ", 60, temperature: 0.5f, topK: 3, seed: 1);
Console.WriteLine("generated: the " + generated.ReplaceLineEndings(" / "));
SentenceScore seen = lm.Score("the dog sat on the log.");
SentenceScore scrambled = lm.Score("the log sat on the dog.");
Console.WriteLine($"perplexity: {seen.Perplexity:F2} for a sentence of the text, {scrambled.Perplexity:F2} scrambled");
Directory.Delete(run, recursive: true);

// The sample is also a test: a broken library fails it.
var failures = new List<string>();
if (!(last.ValidBitsPerToken < 1.0)) failures.Add($"validation loss {last.ValidBitsPerToken:F3} bits per character (expected < 1)");
if (next[0].Token != "t") failures.Add($"'{next[0].Token}' is the most probable character after 'the ca' (expected 't')");
if (!(seen.Perplexity < scrambled.Perplexity)) failures.Add("the scrambled sentence scores as well as the text's own");
if (generated.Length != 60) failures.Add($"{generated.Length} characters generated (expected 60)");
foreach (string failure in failures) Console.Error.WriteLine("FAILED: " + failure);
Console.WriteLine(failures.Count == 0 ? "Quickstart: ok" : "Quickstart: failed");
return failures.Count == 0 ? 0 : 1;
