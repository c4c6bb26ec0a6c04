using System.Diagnostics;
using System.Runtime.CompilerServices;
using Recurrent.Models;
using Recurrent.Server.Api;
using Recurrent.Text;
using Recurrent.Training;

namespace Recurrent.Server.Models;

/// <summary>A word or char language model: <c>next</c>, <c>score</c> and <c>generate</c>.</summary>
/// <remarks>
/// Two pools of inference objects: one per compute slot for short requests, which only ever hold one while they
/// compute or wait for a slot, and one for generations, which hold theirs (and its recurrent state) for all their
/// tokens. Short requests thus never wait behind long generations for an object, and however many arrive they use
/// at most <see cref="ServerOptions.ComputeSlots"/> objects. <c>next</c> requests are computed together by a
/// <see cref="NextBatcher"/> with an object of its own, unless <see cref="ServerOptions.NextBatchSize"/> is 1.
/// </remarks>
public sealed class ServedLanguageModel : ServedModel, INextTokenModel, IScoringModel, IGeneratingModel
{
    private readonly LanguageModel _model;
    private readonly TokenCodec _codec;
    private readonly InferencePool<Instance> _requests;
    private readonly InferencePool<Instance> _generations;
    private readonly ServingContext _context;
    private readonly NextBatcher? _batcher;

    public ServedLanguageModel(string name, LoadedCheckpoint loaded, ServingContext context) : base(name, loaded.Kind)
    {
        _model = loaded.LanguageModel;
        _codec = TokenCodec.ForKind(loaded.Kind, loaded.VocabularyJson);
        if (_codec.Count != _model.Config.VocabSize)
            throw new RecurrentException($"{loaded.Path}: the vocabulary has {_codec.Count} tokens but the model predicts {_model.Config.VocabSize}.");
        _context = context;
        _requests = new InferencePool<Instance>(() => new Instance(_model.CreateInference()), context.Options.ComputeSlots);
        _generations = new InferencePool<Instance>(() => new Instance(_model.CreateInference()), context.Options.GenerationsPerModel);
        if (context.Options.NextBatchSize > 1) _batcher = new NextBatcher(_model.CreateInference(), _codec.Token, context);
    }

    public override int VocabularySize => _codec.Count;

    public override long Parameters => _model.ParameterCount;

    /// <summary>The inference objects of short requests.</summary>
    internal InferencePool<Instance> RequestPool => _requests;

    /// <summary>The inference objects of generations.</summary>
    internal InferencePool<Instance> GenerationPool => _generations;

    /// <summary>Makes the short requests' inference objects now, so that the first requests do not pay for them.</summary>
    public override async Task WarmAsync()
    {
        var leases = new List<InferencePool<Instance>.Lease>();
        for (int i = 0; i < _requests.Capacity; i++) leases.Add(await _requests.RentAsync(CancellationToken.None));
        foreach (InferencePool<Instance>.Lease lease in leases) lease.Dispose();
    }

    public async ValueTask<NextResponse> NextAsync(string text, int k, CancellationToken cancellation)
    {
        int[] context = _codec.EncodeContext(text, "text");
        if (_batcher is not null) return new NextResponse(Name, await _batcher.NextAsync(context, k, cancellation).ConfigureAwait(false));
        long arrived = Stopwatch.GetTimestamp();
        var top = new int[Math.Min(k, _codec.Count)];
        using InferencePool<Instance>.Lease lease = await _requests.RentAsync(cancellation).ConfigureAwait(false);
        TextGenerator generator = lease.Item.Generator;
        TokenProbability[] tokens = await _context.Gate.RunAsync(() =>
        {
            long started = Stopwatch.GetTimestamp();
            generator.Prime(context);
            int n = TopK.Select(generator.Probabilities, top);
            var result = new TokenProbability[n];
            for (int i = 0; i < n; i++) result[i] = new TokenProbability(_codec.Token(top[i]), top[i], generator.Probabilities[top[i]]);
            _context.Status.NextComputed(1, started - arrived, Stopwatch.GetTimestamp() - started);
            return result;
        }, cancellation).ConfigureAwait(false);
        return new NextResponse(Name, tokens);
    }

    public async ValueTask<ScoreResponse> ScoreAsync(IReadOnlyList<string> texts, CancellationToken cancellation)
    {
        // Every text is encoded before any is scored, so a bad one fails the call before it costs compute.
        var encoded = new (int[] Inputs, int[] Targets)[texts.Count];
        for (int i = 0; i < texts.Count; i++) encoded[i] = _codec.EncodeSentence(texts[i], $"texts[{i}]");
        using InferencePool<Instance>.Lease lease = await _requests.RentAsync(cancellation).ConfigureAwait(false);
        LanguageModel model = lease.Item.Model;
        var results = new SentenceScoreResult[texts.Count];
        for (int i = 0; i < texts.Count; i++)
        {
            (int[] inputs, int[] targets) = encoded[i];
            SentenceScore score = await _context.Gate.RunAsync(() => SentenceScore.Of(model, inputs, targets), cancellation).ConfigureAwait(false);
            results[i] = new SentenceScoreResult(score.LogProbability, score.Perplexity, score.Tokens);
        }
        return new ScoreResponse(Name, results);
    }

    public async ValueTask<Generation> StartAsync(GenerateRequest request, CancellationToken cancellation)
    {
        string prime = request.Prime ?? "";
        int[] context = _codec.EncodeContext(prime, "prime");
        var sampler = new TokenSampler(request.Seed, request.Temperature, request.TopK, request.Greedy);
        InferencePool<Instance>.Lease lease = await _generations.RentAsync(cancellation).ConfigureAwait(false);
        return new LanguageGeneration(this, lease, context, prime, sampler, request.Length);
    }

    public override void Dispose()
    {
        _batcher?.Dispose();
        _requests.Dispose();
        _generations.Dispose();
    }

    /// <summary>One inference copy of the model (own buffers, shared weights) and the generator over it.</summary>
    internal sealed class Instance(LanguageModel model)
    {
        public LanguageModel Model { get; } = model;
        public TextGenerator Generator { get; } = new(model);
    }

    /// <summary>Draws one token per compute slot, so that generations and short requests take turns.</summary>
    private sealed class LanguageGeneration(ServedLanguageModel owner, InferencePool<Instance>.Lease lease, int[] context, string prime, TokenSampler sampler, int length)
        : Generation
    {
        public override string Prime => prime;

        public override async IAsyncEnumerable<GeneratedToken> Tokens([EnumeratorCancellation] CancellationToken cancellation)
        {
            ServerStatus status = owner._context.Status;
            ComputeGate gate = owner._context.Gate;
            TextGenerator generator = lease.Item.Generator;
            status.GenerationStarted();
            try
            {
                int previous = -1;
                for (int i = 0; i < length; i++)
                {
                    cancellation.ThrowIfCancellationRequested();
                    int fed = previous;
                    int token = await gate.RunAsync(() =>
                    {
                        if (fed < 0) generator.Prime(context);
                        else generator.Feed(fed);
                        return sampler.Sample(generator.Probabilities);
                    }, cancellation).ConfigureAwait(false);
                    status.TokenGenerated();
                    previous = token;
                    yield return new GeneratedToken(owner._codec.Continuation(token), token);
                }
            }
            finally
            {
                status.GenerationEnded();
                lease.Dispose();
            }
        }

        public override void Dispose() => lease.Dispose();
    }
}
