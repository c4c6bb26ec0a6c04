using Recurrent.Tensors;

namespace Recurrent.Layers;

/// <summary>
/// The state a recurrent layer carries from one time step (and one batch) to the next.
/// </summary>
/// <remarks>
/// A <em>leaf</em> state belongs to one layer: <see cref="Hidden"/> [batch, hidden] and, for an LSTM,
/// <see cref="Cell"/> [batch, hidden]. A <em>composite</em> state belongs to a wrapper
/// (<see cref="StackedRecurrent"/>: one part per layer, bottom first; <see cref="Bidirectional"/>: forward then
/// backward direction) and holds its parts in <see cref="Parts"/>; its <see cref="Hidden"/> and <see cref="Cell"/>
/// are the last part's tensors (the same objects), a convenience for reading the top layer's state.
/// </remarks>
public sealed class RecurrentState
{
    private static readonly RecurrentState[] NoParts = [];
    private readonly RecurrentState[] _parts;

    /// <summary>A zero leaf state of shape [<paramref name="batchSize"/>, <paramref name="hiddenSize"/>].</summary>
    internal RecurrentState(int batchSize, int hiddenSize, bool hasCell)
    {
        Hidden = new Tensor(batchSize, hiddenSize);
        Cell = hasCell ? new Tensor(batchSize, hiddenSize) : null;
        _parts = NoParts;
    }

    /// <summary>A composite state made of <paramref name="parts"/> (not copied).</summary>
    internal RecurrentState(params RecurrentState[] parts)
    {
        if (parts.Length == 0) throw new ArgumentException("A composite state needs at least one part.", nameof(parts));
        _parts = (RecurrentState[])parts.Clone();
        Hidden = _parts[^1].Hidden;
        Cell = _parts[^1].Cell;
    }

    /// <summary>Hidden state h, [batch, hidden]; for a composite state, the last part's.</summary>
    public Tensor Hidden { get; }

    /// <summary>Cell state c of an LSTM, [batch, hidden]; null for GRU and RNN; for a composite state, the last part's.</summary>
    public Tensor? Cell { get; }

    /// <summary>The parts of a composite state; empty for a leaf.</summary>
    public IReadOnlyList<RecurrentState> Parts => _parts;

    /// <summary>True when this state is made of parts.</summary>
    public bool IsComposite => _parts.Length > 0;

    /// <summary>Rows (sequences) of the batch.</summary>
    public int BatchSize => Hidden.Dim(0);

    /// <summary>Copies every tensor of <paramref name="source"/>, which must have the same structure.</summary>
    public void CopyFrom(RecurrentState source)
    {
        if (source._parts.Length != _parts.Length || (source.Cell is null) != (Cell is null))
            throw new ArgumentException("States of different structure.", nameof(source));
        if (IsComposite)
        {
            for (int i = 0; i < _parts.Length; i++) _parts[i].CopyFrom(source._parts[i]);
            return;
        }
        Hidden.CopyFrom(source.Hidden);
        Cell?.CopyFrom(source.Cell!);
    }

    /// <summary>Sets the state to zero (the start of a sequence).</summary>
    public void Clear()
    {
        foreach (var part in _parts) part.Clear();
        if (IsComposite) return;
        Hidden.Clear();
        Cell?.Clear();
    }

    /// <summary>Changes the batch size, reusing storage where it fits; the state becomes zero.</summary>
    internal void Resize(int batchSize)
    {
        foreach (var part in _parts) part.Resize(batchSize);
        if (IsComposite) return;
        int hidden = Hidden.Dim(1);
        Hidden.Resize(batchSize, hidden).Clear();
        Cell?.Resize(batchSize, hidden).Clear();
    }
}
