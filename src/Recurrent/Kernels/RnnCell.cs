using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recurrent.Kernels;

/// <summary>The element-wise part of one tanh-RNN step: h' = tanh(a), a = x·W_x + h·W_h + b.</summary>
internal static class RnnCell
{
    /// <summary>h' = tanh(a), in place allowed (<paramref name="preActivation"/> may be <paramref name="hiddenNext"/>).</summary>
    public static void Forward(ReadOnlySpan<float> preActivation, Span<float> hiddenNext)
        => TensorPrimitives.Tanh(preActivation, hiddenNext);

    /// <summary>dL/da = dL/dh' ⊙ (1 − h'²). Lanes: 16 floats with AVX-512, else 8 with AVX, scalar tail.</summary>
    public static void Backward(ReadOnlySpan<float> hiddenNext, ReadOnlySpan<float> hiddenGradient, Span<float> preActivationGradient)
    {
        int length = hiddenNext.Length;
        CellChecks.Require(hiddenGradient.Length >= length && preActivationGradient.Length >= length);
        if (length == 0) return;
        ref float y = ref Unsafe.AsRef(in hiddenNext[0]);
        ref float dy = ref Unsafe.AsRef(in hiddenGradient[0]);
        ref float da = ref preActivationGradient[0];
        int k = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; k <= length - Vector512<float>.Count; k += Vector512<float>.Count)
            {
                var v = Vector512.LoadUnsafe(ref y, (nuint)k);
                (Vector512.LoadUnsafe(ref dy, (nuint)k) * (Vector512<float>.One - v * v)).StoreUnsafe(ref da, (nuint)k);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; k <= length - Vector256<float>.Count; k += Vector256<float>.Count)
            {
                var v = Vector256.LoadUnsafe(ref y, (nuint)k);
                (Vector256.LoadUnsafe(ref dy, (nuint)k) * (Vector256<float>.One - v * v)).StoreUnsafe(ref da, (nuint)k);
            }
        }
        for (; k < length; k++)
        {
            float v = Unsafe.Add(ref y, k);
            Unsafe.Add(ref da, k) = Unsafe.Add(ref dy, k) * (1 - v * v);
        }
    }
}
