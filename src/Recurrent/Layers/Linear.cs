using Recurrent.Kernels;
using Recurrent.Tensors;

namespace Recurrent.Layers;

/// <summary>
/// Fully connected layer <c>y = x·W + b</c> with <c>W</c> [inputSize, outputSize] (TensorFlow's layout) and
/// <c>b</c> [outputSize], applied to all n = time·batch rows at once (the softmax projection of a language model).
/// </summary>
internal sealed class Linear : IHasParameters
{
    private readonly Tensor _ones = new Tensor(0);

    /// <summary>Creates a layer with zero weights and bias; initialise <see cref="Weight"/> with <see cref="Initializers"/>.</summary>
    public Linear(int inputSize, int outputSize, string name = "linear")
    {
        if (inputSize <= 0) throw new ArgumentOutOfRangeException(nameof(inputSize), "The input size must be positive.");
        if (outputSize <= 0) throw new ArgumentOutOfRangeException(nameof(outputSize), "The output size must be positive.");
        InputSize = inputSize;
        OutputSize = outputSize;
        Weight = new Parameter(name + ".weight", new Tensor(inputSize, outputSize));
        Bias = new Parameter(name + ".bias", new Tensor(outputSize));
        Parameters = [Weight, Bias];
    }

    public int InputSize { get; }
    public int OutputSize { get; }

    /// <summary>W [inputSize, outputSize], saved as <c>{name}.weight</c>.</summary>
    public Parameter Weight { get; }

    /// <summary>b [outputSize], saved as <c>{name}.bias</c>.</summary>
    public Parameter Bias { get; }

    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>
    /// <c>output = input·W + b</c>. <paramref name="input"/> is any tensor whose length is a multiple n of inputSize
    /// (row-major [n, inputSize], e.g. [time, batch, inputSize]). <paramref name="output"/> keeps its shape when it
    /// already holds n·outputSize elements; otherwise it is resized to [n, outputSize].
    /// </summary>
    public void Forward(Tensor input, Tensor output)
    {
        int n = Rows(input);
        int o = OutputSize;
        if (output.Length != n * o) output.Resize(n, o);
        Span<float> y = output.Span;
        ReadOnlySpan<float> b = Bias.Value.Span;
        for (int r = 0; r < n; r++) b.CopyTo(y.Slice(r * o, o));
        Gemm.Multiply(false, false, n, o, InputSize, 1f, input.Span, InputSize, Weight.Value.Span, o, 1f, y, o);
    }

    /// <summary>
    /// Given dL/dy: <c>inputGradient = dy·Wᵀ</c> (overwritten; skipped when null), <c>dW += xᵀ·dy</c> and
    /// <c>db += 1ᵀ·dy</c> (column sums), each one GEMM. <paramref name="input"/> is the tensor given to <see cref="Forward"/>.
    /// <paramref name="inputGradient"/> keeps its shape when it holds n·inputSize elements, else becomes [n, inputSize].
    /// </summary>
    public void Backward(Tensor input, Tensor outputGradient, Tensor? inputGradient)
    {
        int n = Rows(input);
        int i = InputSize, o = OutputSize;
        if (outputGradient.Length != n * o)
            throw new ArgumentException($"Output gradient {outputGradient} does not hold {n}×{o} elements.", nameof(outputGradient));
        ReadOnlySpan<float> dy = outputGradient.Span;
        if (inputGradient is not null)
        {
            if (inputGradient.Length != n * i) inputGradient.Resize(n, i);
            Gemm.Multiply(false, true, n, i, o, 1f, dy, o, Weight.Value.Span, o, 0f, inputGradient.Span, i);
        }
        Gemm.Multiply(true, false, i, o, n, 1f, input.Span, i, dy, o, 1f, Weight.Gradient.Span, o);
        if (_ones.Length != n)
        {
            _ones.Resize(n);
            _ones.Fill(1f);
        }
        Gemm.Multiply(false, false, 1, o, n, 1f, _ones.Span, n, dy, o, 1f, Bias.Gradient.Span, o);
    }

    private int Rows(Tensor input)
    {
        if (input.Length % InputSize != 0)
            throw new ArgumentException($"Input {input} is not a whole number of rows of {InputSize}.", nameof(input));
        return input.Length / InputSize;
    }
}
