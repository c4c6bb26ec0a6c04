// Classify: train a sentiment classifier on generated reviews, then load it and predict labels of new texts.
// Each review is filler words with one opinion word somewhere; the label is that word's side. Exits 1 when the
// trained classifier gets new reviews wrong.
using Recurrent.Data;
using Recurrent.Data.Classification;
using Recurrent.Models;
using Recurrent.Text;
using Recurrent.Training;

string[] positive = ["great", "superb", "loved"], negative = ["awful", "boring", "hated"];
var random = new Random(1);
LabeledText Review()
{
    bool good = random.Next(2) == 0;
    int length = 5 + random.Next(11), at = random.Next(length);
    var words = new List<string>();
    for (int w = 0; w < length; w++) words.Add(w == at ? (good ? positive : negative)[random.Next(3)] : $"w{random.Next(40)}");
    return new LabeledText(string.Join(' ', words), good ? "pos" : "neg", "generated");
}

List<LabeledText> reviews = Enumerable.Range(0, 800).Select(_ => Review()).ToList();
string[] labels = ["neg", "pos"];
int[] classes = reviews.Select(r => Array.IndexOf(labels, r.Label)).ToArray();
SplitIndices split = StratifiedSplit.Split(classes, labels.Length, 0.2, seed: 1);

// The vocabulary comes from the training part only; texts are tokenized as the command-line tool does.
Vocabulary vocabulary = ClassificationVocabulary.Build(reviews, split.Train, EnglishTokenizer.Tokenize);
SequenceClassifierConfig config = SequenceClassifierPresets.Default with
{
    VocabSize = vocabulary.Count, Classes = labels.Length, EmbeddingSize = 16, HiddenSize = 16,
    BatchSize = 32, Epochs = 4, Patience = 0, KeepProb = 1f, InputKeepProb = 1f,
};
var encoder = new TextEncoder(vocabulary, config.MaxLength, config.Truncate);
var task = new SequenceClassifierTask(new SequenceClassifier(config),
    encoder.Encode(reviews, classes, split.Train), encoder.Encode(reviews, classes, split.Validation), labels, vocabulary.ToJson());

string run = Path.Combine(Path.GetTempPath(), "recurrent-classify-" + Guid.NewGuid().ToString("N"));
var trainer = new Trainer(task, new TrainerOptions { RunDirectory = run }, SilentMonitor.Instance);
trainer.Run(CancellationToken.None);
Console.WriteLine($"validation accuracy after {trainer.Position.History.Count} epochs: {trainer.Position.History[^1].Valid("accuracy"):P1}");

// Load the best checkpoint (by validation accuracy) and classify reviews it has never seen.
TextClassifier classifier = TextClassifier.Load(run);
Directory.Delete(run, recursive: true);
foreach (string text in (string[])["w3 w7 superb w1 w9", "w12 hated w5"])
{
    ClassPrediction prediction = classifier.Predict(text);
    Console.WriteLine($"'{text}': {prediction.Label} ({prediction.Probability:P1})");
}
List<LabeledText> fresh = Enumerable.Range(0, 200).Select(_ => Review()).ToList();
double accuracy = fresh.Count(r => classifier.Predict(r.Text).Label == r.Label) / (double)fresh.Count;
Console.WriteLine($"accuracy on 200 new reviews: {accuracy:P1}");

// The sample is also a test: a broken library fails it.
bool ok = accuracy >= 0.9 && classifier.Predict("w3 w7 superb w1 w9").Label == "pos" && classifier.Predict("w12 hated w5").Label == "neg";
Console.WriteLine(ok ? "Classify: ok" : "Classify: failed");
return ok ? 0 : 1;
