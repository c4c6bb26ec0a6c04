using Recurrent.Models;

namespace Recurrent.Interop;

/// <summary>What <see cref="PyTorchImport"/> needs beyond the state dict: the kind of model, its vocabulary and labels,
/// and, where the tensor names alone leave it open, which module is which.</summary>
internal sealed record PyTorchImportOptions
{
    /// <summary><c>word</c>, <c>char</c> or <c>classifier</c>: the checkpoint kind to write.</summary>
    public required string Kind { get; init; }

    /// <summary>The tokens in id order (row i of the embedding and of the output layer is token i).</summary>
    public required IReadOnlyList<string> Vocabulary { get; init; }

    /// <summary>Classifier: the class names in id order; null names them 0, 1, ….</summary>
    public IReadOnlyList<string>? Labels { get; init; }

    /// <summary>Classifier: how the recurrent outputs become one vector (PyTorch code does this in <c>forward</c>, which a state dict does not hold).</summary>
    public ClassifierHead Head { get; init; } = ClassifierHead.Last;

    /// <summary>The nn.Embedding's name in the state dict (e.g. <c>emb</c>); null finds it from the shapes.</summary>
    public string? Embedding { get; init; }

    /// <summary>The nn.LSTM / nn.GRU / nn.RNN's name (e.g. <c>rnn</c>, or empty for a bare module); null finds it.</summary>
    public string? Rnn { get; init; }

    /// <summary>The output nn.Linear's name (e.g. <c>out</c>); null finds it from the shapes.</summary>
    public string? Output { get; init; }
}
