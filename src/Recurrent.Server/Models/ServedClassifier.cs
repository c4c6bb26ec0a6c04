using Recurrent.Models;
using Recurrent.Server.Api;

namespace Recurrent.Server.Models;

/// <summary>A sequence classifier: <c>classify</c>, a batch of raw texts per call.</summary>
public sealed class ServedClassifier : ServedModel, IClassifyingModel
{
    private readonly ClassifierCheckpoint _checkpoint;
    private readonly InferencePool<Instance> _pool;
    private readonly ServingContext _context;

    public ServedClassifier(string name, ClassifierCheckpoint checkpoint, ServingContext context) : base(name, checkpoint.Loaded.Kind)
    {
        _checkpoint = checkpoint;
        _context = context;
        _pool = new InferencePool<Instance>(() => new Instance(
            new TextClassifier(checkpoint.Model.CreateInference(), checkpoint.Vocabulary, checkpoint.Labels), checkpoint.Labels.Length),
            context.Options.ComputeSlots);
    }

    public override int VocabularySize => _checkpoint.Vocabulary.Count;

    public override IReadOnlyList<string> Labels => _checkpoint.Labels;

    public override long Parameters => _checkpoint.Model.CountParameters();

    internal InferencePool<Instance> Pool => _pool;

    /// <summary>Makes one inference object per compute slot now.</summary>
    public override async Task WarmAsync()
    {
        var leases = new List<InferencePool<Instance>.Lease>();
        for (int i = 0; i < _pool.Capacity; i++) leases.Add(await _pool.RentAsync(CancellationToken.None));
        foreach (InferencePool<Instance>.Lease lease in leases) lease.Dispose();
    }

    public async ValueTask<ClassifyResponse> ClassifyAsync(IReadOnlyList<string> texts, CancellationToken cancellation)
    {
        string[] labels = _checkpoint.Labels;
        using InferencePool<Instance>.Lease lease = await _pool.RentAsync(cancellation).ConfigureAwait(false);
        Instance instance = lease.Item;
        var results = new Classification[texts.Count];
        for (int i = 0; i < texts.Count; i++)
        {
            string text = texts[i];
            // One compute slot per text: a full batch does not hold a core for all its texts at once.
            results[i] = await _context.Gate.RunAsync(() =>
            {
                int best = instance.Classifier.Predict(text, instance.Probabilities);
                var probabilities = new Dictionary<string, double>(labels.Length, StringComparer.Ordinal);
                for (int c = 0; c < labels.Length; c++) probabilities[labels[c]] = instance.Probabilities[c];
                return new Classification(labels[best], probabilities);
            }, cancellation).ConfigureAwait(false);
        }
        return new ClassifyResponse(Name, labels, results);
    }

    public override void Dispose() => _pool.Dispose();

    internal sealed class Instance(TextClassifier classifier, int classes)
    {
        public TextClassifier Classifier { get; } = classifier;
        public float[] Probabilities { get; } = new float[classes];
    }
}
