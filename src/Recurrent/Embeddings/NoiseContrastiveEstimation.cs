namespace Recurrent.Embeddings;

/// <summary>
/// Noise-contrastive estimation as TensorFlow's <c>tf.nn.nce_loss</c> computes it (with its defaults:
/// one true class, no removal of accidental hits), averaged over a batch as TensorFlow for Machine Intelligence does
/// with <c>tf.reduce_mean</c>.
/// </summary>
/// <remarks>
/// <para>For example i with input word <c>x_i</c> and label (context word) <c>y_i</c>, and the k noise words
/// <c>z_1 … z_k</c> drawn once for the whole batch, the logits are the scores minus the log expected noise counts
/// (<see cref="LogUniformSampler.ExpectedCount"/>):
/// <c>t_i = e_{x_i}·w_{y_i} + b_{y_i} − log E(y_i)</c> and <c>s_ij = e_{x_i}·w_{z_j} + b_{z_j} − log E(z_j)</c>,
/// where e are the embeddings and w, b the output weights and biases. The loss is the sigmoid cross-entropy with
/// label 1 for the true word and 0 for the noise words, summed per example and averaged over the batch of B:
/// <c>L = (1/B) Σ_i [softplus(−t_i) + Σ_j softplus(s_ij)]</c>.</para>
/// <para>Gradient: <c>∂L/∂t_i = (σ(t_i) − 1)/B</c>, <c>∂L/∂s_ij = σ(s_ij)/B</c>; then <c>∂L/∂e_{x_i} = ∂L/∂t_i·w_{y_i} +
/// Σ_j ∂L/∂s_ij·w_{z_j}</c>, <c>∂L/∂w_{y_i} += ∂L/∂t_i·e_{x_i}</c>, <c>∂L/∂w_{z_j} += Σ_i ∂L/∂s_ij·e_{x_i}</c>, and
/// the biases take the sums of the logit gradients. The training step (<see cref="NceBatch"/>) computes this with
/// three matrix products per batch and applies TensorFlow's momentum to the rows it touched.</para>
/// </remarks>
internal static class NoiseContrastiveEstimation
{
    /// <summary><c>L</c> of one batch, in double (the reference for the training step's gradient).</summary>
    /// <param name="labelLogExpected"><c>log E(y_i)</c> per example.</param>
    /// <param name="sampledLogExpected"><c>log E(z_j)</c> per noise word.</param>
    public static double Loss(ReadOnlySpan<float> embeddings, ReadOnlySpan<float> weights, ReadOnlySpan<float> biases, int dimension,
        ReadOnlySpan<int> inputs, ReadOnlySpan<int> labels, ReadOnlySpan<int> sampled,
        ReadOnlySpan<double> labelLogExpected, ReadOnlySpan<double> sampledLogExpected)
    {
        if (inputs.Length != labels.Length || labels.Length != labelLogExpected.Length || sampled.Length != sampledLogExpected.Length)
            throw new ArgumentException("Inputs, labels and their expected counts must have matching lengths.");
        double total = 0;
        for (int i = 0; i < inputs.Length; i++)
        {
            ReadOnlySpan<float> e = embeddings.Slice(inputs[i] * dimension, dimension);
            double t = Dot(e, weights.Slice(labels[i] * dimension, dimension)) + biases[labels[i]] - labelLogExpected[i];
            total += NegativeSampling.Softplus(-t);
            for (int j = 0; j < sampled.Length; j++)
            {
                double s = Dot(e, weights.Slice(sampled[j] * dimension, dimension)) + biases[sampled[j]] - sampledLogExpected[j];
                total += NegativeSampling.Softplus(s);
            }
        }
        return total / inputs.Length;
    }

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return s;
    }
}
