using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recurrent.Kernels;

/// <summary>
/// The element-wise part of one GRU time step in the cuDNN / PyTorch formulation, over <c>rows</c> batch rows.
/// </summary>
/// <remarks>
/// Per row, with x̂ = x·W_i + b_i and ĥ = h·W_h + b_h (both [3·hidden], gate order r, z, n):
/// <code>
/// r = σ(x̂_r + ĥ_r)   z = σ(x̂_z + ĥ_z)   n = tanh(x̂_n + r⊙ĥ_n)   h' = (1−z)⊙n + z⊙h
/// </code>
/// The reset gate multiplies the already projected ĥ_n (not h before the product, as TensorFlow's GRUCell does),
/// so one matrix product per step serves all three gates. Nothing is allocated.
/// </remarks>
internal static class GruCell
{
    /// <summary>
    /// Forward step. <paramref name="gates"/> [rows, 3·hidden] holds x̂ on entry and the activations (r, z, n)
    /// on return; <paramref name="candidateProjection"/> [rows, hidden] receives ĥ_n, which the backward pass needs.
    /// </summary>
    /// <param name="rows">Batch rows in the block.</param>
    /// <param name="hidden">Units per gate.</param>
    /// <param name="gates">[rows, 3·hidden]: x̂ in, (r, z, n) out.</param>
    /// <param name="hiddenProjection">ĥ = h·W_h + b_h, [rows, 3·hidden].</param>
    /// <param name="hiddenPrevious">h, [rows, hidden].</param>
    /// <param name="hiddenNext">h', [rows, hidden].</param>
    /// <param name="candidateProjection">Receives ĥ_n, [rows, hidden].</param>
    public static void Forward(int rows, int hidden, Span<float> gates, ReadOnlySpan<float> hiddenProjection,
        ReadOnlySpan<float> hiddenPrevious, Span<float> hiddenNext, Span<float> candidateProjection)
    {
        int h = hidden;
        CellChecks.Require(gates.Length >= rows * 3 * h && hiddenProjection.Length >= rows * 3 * h
            && hiddenPrevious.Length >= rows * h && hiddenNext.Length >= rows * h && candidateProjection.Length >= rows * h);
        for (int row = 0; row < rows; row++)
        {
            Span<float> g = gates.Slice(row * 3 * h, 3 * h);
            ReadOnlySpan<float> p = hiddenProjection.Slice(row * 3 * h, 3 * h);
            Span<float> rz = g.Slice(0, 2 * h), n = g.Slice(2 * h, h);
            Span<float> hn = candidateProjection.Slice(row * h, h), next = hiddenNext.Slice(row * h, h);
            ReadOnlySpan<float> prev = hiddenPrevious.Slice(row * h, h);
            TensorPrimitives.Add(rz, p.Slice(0, 2 * h), rz);
            TensorPrimitives.Sigmoid(rz, rz);
            p.Slice(2 * h, h).CopyTo(hn);
            TensorPrimitives.FusedMultiplyAdd(g.Slice(0, h), hn, n, n);
            TensorPrimitives.Tanh(n, n);
            // h' = n + z⊙(h − n)
            TensorPrimitives.Subtract(prev, n, next);
            TensorPrimitives.FusedMultiplyAdd(g.Slice(h, h), next, n, next);
        }
    }

    /// <summary>Backward step: from dL/dh' to the gradients of x̂ and ĥ and the direct part of dL/dh.</summary>
    /// <remarks>
    /// <code>
    /// dn̂ = dh'⊙(1−z)⊙(1−n²)   dẑ = dh'⊙(h−n)⊙z(1−z)   dr̂ = dn̂⊙ĥ_n⊙r(1−r)
    /// dx̂ = [dr̂, dẑ, dn̂]   dĥ = [dr̂, dẑ, dn̂⊙r]   dh (direct) = dh'⊙z
    /// </code>
    /// The caller adds dĥ·W_hᵀ to the direct part. Lanes: 16 floats with AVX-512, else 8 with AVX, scalar tail.
    /// </remarks>
    public static void Backward(int rows, int hidden, ReadOnlySpan<float> gates, ReadOnlySpan<float> candidateProjection,
        ReadOnlySpan<float> hiddenPrevious, ReadOnlySpan<float> hiddenGradient,
        Span<float> inputProjectionGradient, Span<float> hiddenProjectionGradient, Span<float> hiddenPreviousGradient)
    {
        int h = hidden;
        CellChecks.Require(gates.Length >= rows * 3 * h && candidateProjection.Length >= rows * h
            && hiddenPrevious.Length >= rows * h && hiddenGradient.Length >= rows * h
            && inputProjectionGradient.Length >= rows * 3 * h && hiddenProjectionGradient.Length >= rows * 3 * h
            && hiddenPreviousGradient.Length >= rows * h);
        if (rows == 0 || h == 0) return;
        for (int row = 0; row < rows; row++)
        {
            ref float g = ref Unsafe.AsRef(in gates[row * 3 * h]);
            ref float hn = ref Unsafe.AsRef(in candidateProjection[row * h]);
            ref float hp = ref Unsafe.AsRef(in hiddenPrevious[row * h]);
            ref float dh = ref Unsafe.AsRef(in hiddenGradient[row * h]);
            ref float dx = ref inputProjectionGradient[row * 3 * h];
            ref float dp = ref hiddenProjectionGradient[row * 3 * h];
            ref float dhp = ref hiddenPreviousGradient[row * h];
            nuint h1 = (nuint)h, h2 = (nuint)(2 * h);
            int k = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; k <= h - Vector512<float>.Count; k += Vector512<float>.Count)
                {
                    nuint e = (nuint)k;
                    var one = Vector512<float>.One;
                    var r = Vector512.LoadUnsafe(ref g, e);
                    var z = Vector512.LoadUnsafe(ref g, e + h1);
                    var n = Vector512.LoadUnsafe(ref g, e + h2);
                    var d = Vector512.LoadUnsafe(ref dh, e);
                    var dN = d * (one - z) * (one - n * n);
                    var dZ = d * (Vector512.LoadUnsafe(ref hp, e) - n) * z * (one - z);
                    var dR = dN * Vector512.LoadUnsafe(ref hn, e) * r * (one - r);
                    dR.StoreUnsafe(ref dx, e); dZ.StoreUnsafe(ref dx, e + h1); dN.StoreUnsafe(ref dx, e + h2);
                    dR.StoreUnsafe(ref dp, e); dZ.StoreUnsafe(ref dp, e + h1); (dN * r).StoreUnsafe(ref dp, e + h2);
                    (d * z).StoreUnsafe(ref dhp, e);
                }
            }
            if (Vector256.IsHardwareAccelerated)
            {
                for (; k <= h - Vector256<float>.Count; k += Vector256<float>.Count)
                {
                    nuint e = (nuint)k;
                    var one = Vector256<float>.One;
                    var r = Vector256.LoadUnsafe(ref g, e);
                    var z = Vector256.LoadUnsafe(ref g, e + h1);
                    var n = Vector256.LoadUnsafe(ref g, e + h2);
                    var d = Vector256.LoadUnsafe(ref dh, e);
                    var dN = d * (one - z) * (one - n * n);
                    var dZ = d * (Vector256.LoadUnsafe(ref hp, e) - n) * z * (one - z);
                    var dR = dN * Vector256.LoadUnsafe(ref hn, e) * r * (one - r);
                    dR.StoreUnsafe(ref dx, e); dZ.StoreUnsafe(ref dx, e + h1); dN.StoreUnsafe(ref dx, e + h2);
                    dR.StoreUnsafe(ref dp, e); dZ.StoreUnsafe(ref dp, e + h1); (dN * r).StoreUnsafe(ref dp, e + h2);
                    (d * z).StoreUnsafe(ref dhp, e);
                }
            }
            for (; k < h; k++)
            {
                float r = Unsafe.Add(ref g, k), z = Unsafe.Add(ref g, h + k), n = Unsafe.Add(ref g, 2 * h + k);
                float d = Unsafe.Add(ref dh, k);
                float dN = d * (1 - z) * (1 - n * n);
                float dZ = d * (Unsafe.Add(ref hp, k) - n) * z * (1 - z);
                float dR = dN * Unsafe.Add(ref hn, k) * r * (1 - r);
                Unsafe.Add(ref dx, k) = dR; Unsafe.Add(ref dx, h + k) = dZ; Unsafe.Add(ref dx, 2 * h + k) = dN;
                Unsafe.Add(ref dp, k) = dR; Unsafe.Add(ref dp, h + k) = dZ; Unsafe.Add(ref dp, 2 * h + k) = dN * r;
                Unsafe.Add(ref dhp, k) = d * z;
            }
        }
    }
}
