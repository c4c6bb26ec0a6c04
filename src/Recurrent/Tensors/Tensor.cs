using System.Runtime.CompilerServices;

namespace Recurrent.Tensors;

/// <summary>
/// A dense float32 tensor: a shape and row-major storage.
/// </summary>
/// <remarks>
/// Storage is a plain <c>float[]</c> whose capacity may exceed <see cref="Length"/>.
/// <see cref="Resize(int)"/> and its overloads change the shape in place and only allocate when the
/// new length exceeds the capacity, so buffers sized once on the first batch are reused for every
/// later batch and a training step allocates nothing.
/// </remarks>
public sealed class Tensor
{
    private int[] _shape;

    /// <summary>Creates a zero-filled tensor of the given shape.</summary>
    public Tensor(params int[] shape)
    {
        _shape = ValidateShape(shape);
        Length = Product(_shape);
        Data = new float[Length];
    }

    /// <summary>Wraps existing storage (not copied); <paramref name="data"/> must hold at least the shape's product.</summary>
    public Tensor(float[] data, params int[] shape)
    {
        _shape = ValidateShape(shape);
        Length = Product(_shape);
        if (data.Length < Length)
            throw new ArgumentException($"Storage of {data.Length} floats is smaller than shape [{string.Join(", ", shape)}].", nameof(data));
        Data = data;
    }

    /// <summary>The backing array. Its length is the capacity; only the first <see cref="Length"/> elements are live.</summary>
    public float[] Data { get; private set; }

    /// <summary>Number of elements (the product of the shape).</summary>
    public int Length { get; private set; }

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>The shape; a copy, so callers cannot change it behind the tensor's back.</summary>
    public int[] Shape => (int[])_shape.Clone();

    /// <summary>The live elements.</summary>
    public Span<float> Span
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(Data, 0, Length);
    }

    /// <summary>Size of dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int Dim(int axis) => _shape[axis < 0 ? _shape.Length + axis : axis];

    /// <summary>Reference to element <c>[i]</c> of the flat storage.</summary>
    public ref float this[int i] => ref Data[i];

    /// <summary>Reference to element <c>[i, j]</c> of a rank-2 tensor.</summary>
    public ref float this[int i, int j] => ref Data[i * _shape[1] + j];

    /// <summary>Reference to element <c>[i, j, k]</c> of a rank-3 tensor.</summary>
    public ref float this[int i, int j, int k] => ref Data[(i * _shape[1] + j) * _shape[2] + k];

    /// <summary>
    /// The contiguous slice that holds index <paramref name="index"/> of the first dimension
    /// (a row of a matrix, a time step of a [time, batch, features] tensor).
    /// </summary>
    public Span<float> Slice(int index)
    {
        int stride = Length / _shape[0];
        return new Span<float>(Data, index * stride, stride);
    }

    /// <summary>Reshapes to one dimension, reusing storage when it is large enough. Contents are unspecified after growth.</summary>
    internal Tensor Resize(int d0) { SetShape(1, d0, 0, 0, 0); return this; }

    /// <inheritdoc cref="Resize(int)"/>
    internal Tensor Resize(int d0, int d1) { SetShape(2, d0, d1, 0, 0); return this; }

    /// <inheritdoc cref="Resize(int)"/>
    internal Tensor Resize(int d0, int d1, int d2) { SetShape(3, d0, d1, d2, 0); return this; }

    /// <inheritdoc cref="Resize(int)"/>
    internal Tensor Resize(int d0, int d1, int d2, int d3) { SetShape(4, d0, d1, d2, d3); return this; }

    /// <summary>Sets every live element to zero.</summary>
    public void Clear() => Span.Clear();

    /// <summary>Sets every live element to <paramref name="value"/>.</summary>
    public void Fill(float value) => Span.Fill(value);

    /// <summary>Copies the shape and contents of <paramref name="source"/> into this tensor.</summary>
    public void CopyFrom(Tensor source)
    {
        int[] s = source._shape;
        if (_shape.Length != s.Length) _shape = new int[s.Length];
        s.CopyTo(_shape, 0);
        EnsureCapacity(source.Length);
        Length = source.Length;
        source.Span.CopyTo(Span);
    }

    /// <summary>A deep copy with its own storage.</summary>
    public Tensor Clone()
    {
        var t = new Tensor(_shape);
        Span.CopyTo(t.Span);
        return t;
    }

    /// <summary>True when both tensors have the same shape.</summary>
    /// <summary>
    /// Makes this tensor a view of <paramref name="source"/>'s storage (same shape required): inference copies of a
    /// model read one set of weights. A later <see cref="Resize(int)"/> past the capacity would detach it again,
    /// which weights never do.
    /// </summary>
    internal void ShareStorage(Tensor source)
    {
        if (!SameShape(source)) throw new ArgumentException($"Cannot share storage of {source} with {this}.", nameof(source));
        Data = source.Data;
    }

    /// <summary>Whether <paramref name="other"/> has the same shape.</summary>
    public bool SameShape(Tensor other) => _shape.AsSpan().SequenceEqual(other._shape);

    /// <summary>The shape, e.g. <c>Tensor[20, 650]</c>.</summary>
    public override string ToString() => $"Tensor[{string.Join(", ", _shape)}]";

    private void SetShape(int rank, int d0, int d1, int d2, int d3)
    {
        if (d0 < 0 || d1 < 0 || d2 < 0 || d3 < 0)
            throw new ArgumentOutOfRangeException(nameof(d0), "Dimensions must be non-negative.");
        if (_shape.Length != rank) _shape = new int[rank];
        _shape[0] = d0;
        if (rank > 1) _shape[1] = d1;
        if (rank > 2) _shape[2] = d2;
        if (rank > 3) _shape[3] = d3;
        int length = Product(_shape);
        EnsureCapacity(length);
        Length = length;
    }

    private void EnsureCapacity(int length)
    {
        if (Data.Length < length) Data = new float[length];
    }

    private static int[] ValidateShape(int[] shape)
    {
        if (shape.Length == 0) throw new ArgumentException("A tensor needs at least one dimension.", nameof(shape));
        foreach (int d in shape)
            if (d < 0) throw new ArgumentOutOfRangeException(nameof(shape), "Dimensions must be non-negative.");
        return (int[])shape.Clone();
    }

    /// <summary>The number of elements of <paramref name="shape"/>.</summary>
    /// <exception cref="RecurrentException">It is more than a .NET array holds (<see cref="Array.MaxLength"/>): the
    /// sizes behind it (hidden size, vocabulary, batch, steps) are too large. Checked without overflow.</exception>
    private static int Product(int[] shape)
    {
        if (shape.AsSpan().Contains(0)) return 0;
        long p = 1;
        foreach (int d in shape)
        {
            p *= d; // p ≤ Array.MaxLength and d ≤ int.MaxValue, so the product fits in a long
            if (p > Array.MaxLength)
                throw new RecurrentException(
                    $"A tensor of shape [{string.Join(", ", shape)}] would hold more than the {Array.MaxLength:N0} numbers one .NET array can: " +
                    "the sizes behind it (hidden size, vocabulary, batch size, steps) are too large.");
        }
        return (int)p;
    }
}
