using Recurrent.Tensors;

namespace Recurrent.Layers;

/// <summary>A trainable tensor, its gradient, and the name it is saved under in checkpoints.</summary>
public sealed class Parameter
{
    public Parameter(string name, Tensor value)
    {
        Name = name;
        Value = value;
        Gradient = new Tensor(value.Shape);
    }

    /// <summary>Checkpoint name, unique within a model (for example <c>lstm.0.weight</c>).</summary>
    public string Name { get; }

    public Tensor Value { get; }

    /// <summary>Gradient of the loss with respect to <see cref="Value"/>; same shape.</summary>
    public Tensor Gradient { get; }

    /// <summary>
    /// When not null, the gradient is known to be zero outside these rows of a rank-2 parameter
    /// (an embedding touched only at looked-up words). Rows are distinct, in any order.
    /// Optimizers may use this to skip untouched rows; code that ignores it stays correct.
    /// </summary>
    public List<int>? SparseRows { get; set; }
}

/// <summary>Anything that owns trainable parameters.</summary>
public interface IHasParameters
{
    /// <summary>The parameters, in a fixed order.</summary>
    IReadOnlyList<Parameter> Parameters { get; }
}
