using Recurrent.Tensors;

namespace Recurrent.Layers;

/// <summary>A trainable tensor, its gradient, and the name it is saved under in checkpoints.</summary>
public sealed class Parameter
{
    internal Parameter(string name, Tensor value)
    {
        Name = name;
        Value = value;
    }

    /// <summary>Checkpoint name, unique within a model (for example <c>lstm.0.weight</c>).</summary>
    public string Name { get; }

    /// <summary>The weights.</summary>
    public Tensor Value { get; }

    private Tensor? _gradient;

    /// <summary>
    /// Gradient of the loss with respect to <see cref="Value"/>; same shape. Allocated on first use, so that
    /// inference copies of a model, which never train, hold no gradient storage.
    /// </summary>
    public Tensor Gradient => Volatile.Read(ref _gradient) ?? CreateGradient();

    // Backward passes may touch a gradient first from several compute threads at once: exactly one tensor must win.
    private Tensor CreateGradient()
    {
        Interlocked.CompareExchange(ref _gradient, new Tensor(Value.Shape), null);
        return _gradient!;
    }

    /// <summary>
    /// When not null, the gradient is known to be zero outside these rows of a rank-2 parameter
    /// (an embedding touched only at looked-up words). Rows are distinct, in any order.
    /// Optimizers may use this to skip untouched rows; code that ignores it stays correct.
    /// </summary>
    internal List<int>? SparseRows { get; set; }
}

/// <summary>Anything that owns trainable parameters.</summary>
public interface IHasParameters
{
    /// <summary>The parameters, in a fixed order.</summary>
    IReadOnlyList<Parameter> Parameters { get; }
}
