using Recurrent.Data.Labelling;
using Recurrent.Kernels;
using Recurrent.Layers;
using Recurrent.Models;
using Recurrent.Server.Api;
using Recurrent.Tensors;
using Recurrent.Training;

namespace Recurrent.Server.Models;

/// <summary>
/// A sequence tagger of words (and their characters): <c>tag</c>, a batch of texts per call, each split at white space.
/// Taggers that read CoNLL feature columns or OCR frames have no raw-text input and are refused at load.
/// </summary>
/// <remarks>
/// Each call borrows an inference object (its own buffers over the shared weights), encodes its texts with the
/// checkpoint's vocabularies (unknown words read as <c>&lt;unk&gt;</c>, as in training), and tags them in the model's
/// batches, one compute slot per batch. A CRF tagger's per-token probabilities are the marginals of its tags:
/// a CRF over the same transition scores, given the Viterbi path as gold, has the emission gradient γ − 1 there.
/// </remarks>
public sealed class ServedTagger : ServedModel, ITaggingModel
{
    private readonly SequenceTagger _model;
    private readonly TaggingVocabularies _vocabularies;
    private readonly string[] _labels;
    private readonly InferencePool<Instance> _pool;
    private readonly ServingContext _context;

    /// <exception cref="RecurrentException">The checkpoint is not a tagger, or its tagger does not read text.</exception>
    public ServedTagger(string name, LoadedCheckpoint loaded, ServingContext context) : base(name, loaded.Kind)
    {
        _model = loaded.Model as SequenceTagger ?? throw new RecurrentException($"{loaded.Path} holds a {loaded.Kind} model, not a tagger.");
        SequenceTaggerConfig c = _model.Config;
        if (c.FrameSize > 0)
            throw new RecurrentException($"{loaded.Path}: this tagger reads OCR letter images (frames of {c.FrameSize}), not text; the server tags text.");
        if (c.UsesFeatures)
            throw new RecurrentException($"{loaded.Path}: this tagger reads {c.FeatureVocabSizes.Length} CoNLL feature column(s) besides each word, which raw text does not have; " +
                "the server serves taggers of words and characters ('recurrent tag predict --input conll' tags such files).");
        _vocabularies = SequenceTaggerTask.VocabulariesOf(loaded); // also restores the CRF's constraints
        var labels = new List<string>();
        for (int id = 0; id < _vocabularies.Tags.Count; id++)
        {
            string tag = _vocabularies.DataTag(id);
            if (!labels.Contains(tag)) labels.Add(tag);
        }
        _labels = [.. labels];
        _context = context;
        _pool = new InferencePool<Instance>(() => new Instance(_model), context.Options.ComputeSlots);
    }

    public override int VocabularySize => _vocabularies.Words.Count;

    public override IReadOnlyList<string> Labels => _labels;

    public override long Parameters => _model.CountParameters();

    /// <summary>Whether answers carry chunks (the tags are chunk tags).</summary>
    public bool Chunks => _vocabularies.IsChunkTagging;

    internal InferencePool<Instance> Pool => _pool;

    /// <summary>Makes one inference object per compute slot now.</summary>
    public override async Task WarmAsync()
    {
        var leases = new List<InferencePool<Instance>.Lease>();
        for (int i = 0; i < _pool.Capacity; i++) leases.Add(await _pool.RentAsync(CancellationToken.None));
        foreach (InferencePool<Instance>.Lease lease in leases) lease.Dispose();
    }

    public async ValueTask<TagResponse> TagAsync(IReadOnlyList<string> texts, CancellationToken cancellation)
    {
        var sentences = new LabelledSentence[texts.Count];
        for (int i = 0; i < texts.Count; i++)
        {
            string[] tokens = texts[i].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length == 0) throw ApiProblemException.BadRequest($"texts[{i}]: the text has no words.");
            var placeholders = new string[tokens.Length];
            Array.Fill(placeholders, "_");
            sentences[i] = new LabelledSentence(tokens, placeholders, null, $"texts[{i}]", 1);
        }
        TaggedSequences data = _vocabularies.Encode(sentences, withTags: false);
        var batcher = new TaggingBatcher(data, _model.Config.BatchSize);
        TaggingBatch batch = batcher.CreateBatch();
        var results = new TaggedText[texts.Count];
        using InferencePool<Instance>.Lease lease = await _pool.RentAsync(cancellation).ConfigureAwait(false);
        Instance instance = lease.Item;
        for (int i = 0; i < batcher.BatchCount; i++)
        {
            int index = i;
            await _context.Gate.RunAsync(() =>
            {
                batcher.Fill(index, batch);
                instance.Tag(batch, sentences, _vocabularies, Chunks, results);
                return true;
            }, cancellation).ConfigureAwait(false);
        }
        return new TagResponse(Name, _labels, results);
    }

    public override void Dispose() => _pool.Dispose();

    /// <summary>One inference copy of the tagger, and for a CRF tagger a CRF of its own over the same transition scores.</summary>
    internal sealed class Instance
    {
        private readonly SequenceTagger _tagger;
        private readonly LinearChainCrf? _crf;
        private readonly Tensor _marginals = new(0);
        private float[] _probabilities = [];
        private int[] _predicted = [];

        public Instance(SequenceTagger model)
        {
            _tagger = model.CreateInference();
            if (model.Config.Output != TaggerOutput.Crf) return;
            _crf = new LinearChainCrf(model.Config.Tags);
            foreach (Parameter p in _crf.Parameters)
                p.Value.CopyFrom(model.Parameters.Single(q => q.Name == p.Name).Value);
            _crf.Constraints = model.Constraints;
        }

        /// <summary>Tags one batch and writes each of its sentences' answer into <paramref name="results"/>.</summary>
        public void Tag(TaggingBatch batch, IReadOnlyList<LabelledSentence> sentences, TaggingVocabularies vocabularies, bool chunks, TaggedText[] results)
        {
            int size = batch.Size, rows = batch.Steps * size, k = _tagger.Config.Tags;
            if (_predicted.Length < rows) _predicted = new int[rows];
            Span<int> predicted = _predicted.AsSpan(0, rows);
            _tagger.Evaluate(batch, predicted);
            Tensor emissions = _tagger.Emissions;
            ReadOnlySpan<float> probabilities;
            bool marginals = _crf is not null;
            if (_crf is not null)
            {
                // ∂NLL/∂x[t, y_t] = γ_t(y_t) − 1 with the decoded path as gold.
                _crf.NegativeLogLikelihood(emissions, batch.Lengths, predicted, _marginals, 1f);
                foreach (Parameter p in _crf.Parameters) p.Gradient.Clear();
                probabilities = _marginals.Span;
            }
            else
            {
                if (_probabilities.Length < rows * k) _probabilities = new float[rows * k];
                MathKernels.Softmax(emissions.Span, _probabilities.AsSpan(0, rows * k), rows, k);
                probabilities = _probabilities.AsSpan(0, rows * k);
            }
            for (int b = 0; b < size; b++)
            {
                int s = batch.Indices[b], length = batch.Lengths[b];
                IReadOnlyList<string> words = sentences[s].Tokens;
                var tokens = new TaggedToken[length];
                var tags = new string[length];
                for (int t = 0; t < length; t++)
                {
                    int row = t * size + b, id = predicted[row];
                    double p = probabilities[row * k + id] + (marginals ? 1.0 : 0.0);
                    tags[t] = vocabularies.DataTag(id);
                    tokens[t] = new TaggedToken(words[t], tags[t], Math.Clamp(p, 0, 1));
                }
                results[s] = new TaggedText(tokens, chunks ? TagChunks.Of(words, tags) : null);
            }
        }
    }
}
