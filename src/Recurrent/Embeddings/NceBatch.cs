using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Recurrent.Kernels;

namespace Recurrent.Embeddings;

/// <summary>
/// One training thread's workspace for <see cref="NoiseContrastiveEstimation"/>: fills a batch of (input, label)
/// pairs, draws the batch's noise words, computes the loss and its gradient with three matrix products, and applies
/// TensorFlow's momentum to the rows the batch touched.
/// </summary>
/// <remarks>
/// <para>Products: <c>S = X·W_zᵀ</c> (B×k logits), <c>∂X = ∂S·W_z</c> and <c>∂W_z = ∂Sᵀ·X</c>, where X gathers the
/// batch's input embeddings and W_z the noise words' weight rows; each runs on this thread alone (the threads
/// themselves are the parallelism).</para>
/// <para>Gradients are summed per distinct row (a word may be several inputs, labels and noise words of a batch), then
/// <c>tf.train.MomentumOptimizer</c>'s sparse update is applied to exactly those rows: <c>a ← μ·a + g</c>,
/// <c>θ ← θ − lr·a</c>; rows the batch did not touch keep their accumulators, as in TensorFlow.</para>
/// </remarks>
internal sealed class NceBatch
{
    private readonly int _dimension, _capacity, _samples;
    private readonly float[] _x, _labelRows, _sampledRows, _logits, _inputGradient, _sampledGradient, _labelShift, _sampledShift, _sampledOffset, _labelGradient, _scratch;
    private readonly int[] _embeddingSlot, _weightSlot, _embeddingStamp, _weightStamp;
    private int _generation;

    public NceBatch(int dimension, int capacity, int samples, int vocabulary)
    {
        _dimension = dimension;
        _capacity = capacity;
        _samples = samples;
        Inputs = new int[capacity];
        Labels = new int[capacity];
        Sampled = new int[samples];
        _x = new float[capacity * dimension];
        _labelRows = new float[capacity * dimension];
        _sampledRows = new float[samples * dimension];
        _logits = new float[capacity * samples];
        _scratch = new float[capacity * samples];
        _inputGradient = new float[capacity * dimension];
        _sampledGradient = new float[samples * dimension];
        _labelShift = new float[capacity];
        _sampledShift = new float[samples];
        _sampledOffset = new float[samples];
        _labelGradient = new float[capacity];
        _embeddingSlot = new int[vocabulary];
        _weightSlot = new int[vocabulary];
        _embeddingStamp = new int[vocabulary];
        _weightStamp = new int[vocabulary];
        EmbeddingRows = new int[capacity];
        EmbeddingGradients = new float[capacity * dimension];
        WeightRows = new int[capacity + samples];
        WeightGradients = new float[(capacity + samples) * dimension];
        BiasGradients = new float[capacity + samples];
    }

    /// <summary>Input words of the batch (the first <see cref="Count"/>).</summary>
    public int[] Inputs { get; }

    /// <summary>Label (context) words of the batch.</summary>
    public int[] Labels { get; }

    /// <summary>Pairs in the batch.</summary>
    public int Count { get; set; }

    public bool IsFull => Count == _capacity;

    /// <summary>The batch's noise words.</summary>
    public int[] Sampled { get; }

    /// <summary>Distinct embedding rows touched by the last <see cref="ComputeGradients"/>, and their gradients (row-major).</summary>
    public int[] EmbeddingRows { get; }
    public int EmbeddingRowCount { get; private set; }
    public float[] EmbeddingGradients { get; }

    /// <summary>Distinct output rows touched, with the weight and bias gradients.</summary>
    public int[] WeightRows { get; }
    public int WeightRowCount { get; private set; }
    public float[] WeightGradients { get; }
    public float[] BiasGradients { get; }

    /// <summary>Draws the noise words and sets the log expected counts of noise words and labels.</summary>
    public void DrawNoise(LogUniformSampler sampler, ref FastRandom random)
    {
        int tries = sampler.SampleUnique(ref random, Sampled);
        for (int j = 0; j < _samples; j++)
            _sampledShift[j] = (float)Math.Log(LogUniformSampler.ExpectedCount(sampler.Probability(Sampled[j]), _samples, tries));
        for (int i = 0; i < Count; i++)
            _labelShift[i] = (float)Math.Log(LogUniformSampler.ExpectedCount(sampler.Probability(Labels[i]), _samples, tries));
    }

    /// <summary>The log expected counts set by <see cref="DrawNoise"/> (labels, then noise words), for tests.</summary>
    public (float[] Labels, float[] Sampled) LogExpectedCounts => (_labelShift, _sampledShift);

    /// <summary>Computes the batch's loss and leaves its gradient in the row lists (see the class remarks).</summary>
    public double ComputeGradients(float[] embeddings, float[] weights, float[] biases)
    {
        int b = Count, k = _samples, d = _dimension;
        if (b == 0) return 0;
        float inverse = 1f / b;
        for (int i = 0; i < b; i++)
        {
            embeddings.AsSpan(Inputs[i] * d, d).CopyTo(_x.AsSpan(i * d, d));
            weights.AsSpan(Labels[i] * d, d).CopyTo(_labelRows.AsSpan(i * d, d));
        }
        for (int j = 0; j < k; j++)
        {
            weights.AsSpan(Sampled[j] * d, d).CopyTo(_sampledRows.AsSpan(j * d, d));
            _sampledOffset[j] = biases[Sampled[j]] - _sampledShift[j];
        }

        // True logits t_i and their gradient (σ(t) − 1)/B.
        double loss = 0;
        ref float x = ref MemoryMarshal.GetArrayDataReference(_x);
        ref float rows = ref MemoryMarshal.GetArrayDataReference(_labelRows);
        for (int i = 0; i < b; i++)
        {
            float t = EmbeddingKernels.Dot(ref Unsafe.Add(ref x, i * d), ref Unsafe.Add(ref rows, i * d), d)
                + biases[Labels[i]] - _labelShift[i];
            loss += NegativeSampling.Softplus(-t);
            _labelGradient[i] = (EmbeddingKernels.Sigmoid(t) - 1f) * inverse;
        }

        // Noise logits S = X·W_zᵀ + (b_z − log E(z)) and their gradient σ(S)/B.
        Span<float> s = _logits.AsSpan(0, b * k);
        Gemm.Multiply(false, true, b, k, d, 1f, _x, d, _sampledRows, d, 0f, s, k, 1, GemmKernelKind.Auto);
        for (int i = 0; i < b; i++) TensorPrimitives.Add(s.Slice(i * k, k), _sampledOffset.AsSpan(0, k), s.Slice(i * k, k));
        Span<float> scratch = _scratch.AsSpan(0, b * k);
        TensorPrimitives.Exp(s, scratch);                  // softplus(s) = log(1 + e^s); the logits stay far below e's overflow
        TensorPrimitives.Add(scratch, 1f, scratch);
        TensorPrimitives.Log(scratch, scratch);
        loss += TensorPrimitives.Sum(scratch);
        TensorPrimitives.Sigmoid(s, s);
        TensorPrimitives.Multiply(s, inverse, s);

        // ∂X = ∂S·W_z + ∂t·W_y; ∂W_z = ∂Sᵀ·X.
        Span<float> dx = _inputGradient.AsSpan(0, b * d);
        Gemm.Multiply(false, false, b, d, k, 1f, s, k, _sampledRows, d, 0f, dx, d, 1, GemmKernelKind.Auto);
        for (int i = 0; i < b; i++) MathKernels.Axpy(_labelGradient[i], _labelRows.AsSpan(i * d, d), dx.Slice(i * d, d));
        Span<float> dz = _sampledGradient.AsSpan(0, k * d);
        Gemm.Multiply(true, false, k, d, b, 1f, s, k, _x, d, 0f, dz, d, 1, GemmKernelKind.Auto);

        // Sum per distinct row.
        if (++_generation == int.MaxValue)
        {
            Array.Clear(_embeddingStamp);
            Array.Clear(_weightStamp);
            _generation = 1;
        }
        EmbeddingRowCount = 0;
        WeightRowCount = 0;
        for (int i = 0; i < b; i++)
        {
            int slot = EmbeddingSlot(Inputs[i]);
            TensorPrimitives.Add(EmbeddingGradients.AsSpan(slot * d, d), dx.Slice(i * d, d), EmbeddingGradients.AsSpan(slot * d, d));
            slot = WeightSlot(Labels[i]);
            MathKernels.Axpy(_labelGradient[i], _x.AsSpan(i * d, d), WeightGradients.AsSpan(slot * d, d));
            BiasGradients[slot] += _labelGradient[i];
        }
        for (int j = 0; j < k; j++)
        {
            int slot = WeightSlot(Sampled[j]);
            TensorPrimitives.Add(WeightGradients.AsSpan(slot * d, d), dz.Slice(j * d, d), WeightGradients.AsSpan(slot * d, d));
            float sum = 0;
            for (int i = 0; i < b; i++) sum += s[i * k + j];
            BiasGradients[slot] += sum;
        }
        return loss * inverse;
    }

    /// <summary><c>a ← μ·a + g</c>, <c>θ ← θ − lr·a</c> on the rows of the last <see cref="ComputeGradients"/>.</summary>
    public void ApplyMomentum(float[] embeddings, float[] weights, float[] biases,
        float[] embeddingAccumulator, float[] weightAccumulator, float[] biasAccumulator, float learningRate, float momentum)
    {
        int d = _dimension;
        for (int r = 0; r < EmbeddingRowCount; r++)
        {
            Span<float> a = embeddingAccumulator.AsSpan(EmbeddingRows[r] * d, d);
            TensorPrimitives.MultiplyAdd(a, momentum, EmbeddingGradients.AsSpan(r * d, d), a);
            MathKernels.Axpy(-learningRate, a, embeddings.AsSpan(EmbeddingRows[r] * d, d));
        }
        for (int r = 0; r < WeightRowCount; r++)
        {
            int row = WeightRows[r];
            Span<float> a = weightAccumulator.AsSpan(row * d, d);
            TensorPrimitives.MultiplyAdd(a, momentum, WeightGradients.AsSpan(r * d, d), a);
            MathKernels.Axpy(-learningRate, a, weights.AsSpan(row * d, d));
            biasAccumulator[row] = momentum * biasAccumulator[row] + BiasGradients[r];
            biases[row] -= learningRate * biasAccumulator[row];
        }
    }

    private int EmbeddingSlot(int row)
    {
        if (_embeddingStamp[row] == _generation) return _embeddingSlot[row];
        _embeddingStamp[row] = _generation;
        int slot = EmbeddingRowCount++;
        _embeddingSlot[row] = slot;
        EmbeddingRows[slot] = row;
        EmbeddingGradients.AsSpan(slot * _dimension, _dimension).Clear();
        return slot;
    }

    private int WeightSlot(int row)
    {
        if (_weightStamp[row] == _generation) return _weightSlot[row];
        _weightStamp[row] = _generation;
        int slot = WeightRowCount++;
        _weightSlot[row] = slot;
        WeightRows[slot] = row;
        WeightGradients.AsSpan(slot * _dimension, _dimension).Clear();
        BiasGradients[slot] = 0;
        return slot;
    }
}
