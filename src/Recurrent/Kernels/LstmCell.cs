using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Recurrent.Kernels;

/// <summary>
/// The element-wise part of one LSTM time step (TensorFlow BasicLSTMCell / LSTMCell with optional peepholes)
/// over a block of <c>rows</c> batch rows; the matrix products are done by the caller.
/// </summary>
/// <remarks>
/// Gate layout: each row of the gate block holds <c>4·hidden</c> values, the pre-activations of the gates
/// i (input), j (candidate), f (forget), o (output) in that order, each <c>hidden</c> wide, already including
/// every bias (the forget bias too). With peepholes <c>p</c> = [w_i; w_f; w_o] ([3, hidden]):
/// <code>
/// i = σ(i + w_i⊙c)   j = tanh(j)   f = σ(f + w_f⊙c)
/// c' = f⊙c + i⊙j     o = σ(o + w_o⊙c')   h' = o⊙tanh(c')
/// </code>
/// σ and tanh are <see cref="TensorPrimitives.Sigmoid{T}(ReadOnlySpan{T}, Span{T})"/> and
/// <see cref="TensorPrimitives.Tanh{T}(ReadOnlySpan{T}, Span{T})"/> (vectorised, a few ulp).
/// Nothing is allocated.
/// </remarks>
internal static class LstmCell
{
    /// <summary>
    /// Forward step. <paramref name="gates"/> [rows, 4·hidden] holds pre-activations on entry and the
    /// activated gates (σi, tanh j, σf, σo) on return, which <see cref="Backward"/> needs.
    /// </summary>
    /// <param name="rows">Batch rows in the block.</param>
    /// <param name="hidden">Units per gate.</param>
    /// <param name="gates">[rows, 4·hidden]: pre-activations in, activations out.</param>
    /// <param name="cellPrevious">c, [rows, hidden].</param>
    /// <param name="peephole">[3, hidden] (w_i, w_f, w_o) or empty for no peepholes.</param>
    /// <param name="cellNext">c', [rows, hidden].</param>
    /// <param name="hiddenNext">h', [rows, hidden].</param>
    /// <param name="tanhCellNext">tanh(c'), [rows, hidden], kept for the backward pass.</param>
    public static void Forward(int rows, int hidden, Span<float> gates, ReadOnlySpan<float> cellPrevious,
        ReadOnlySpan<float> peephole, Span<float> cellNext, Span<float> hiddenNext, Span<float> tanhCellNext)
    {
        int h = hidden;
        bool peep = !peephole.IsEmpty;
        CellChecks.Require(gates.Length >= rows * 4 * h && cellPrevious.Length >= rows * h && cellNext.Length >= rows * h
            && hiddenNext.Length >= rows * h && tanhCellNext.Length >= rows * h && (!peep || peephole.Length >= 3 * h));
        for (int r = 0; r < rows; r++)
        {
            Span<float> g = gates.Slice(r * 4 * h, 4 * h);
            Span<float> gi = g.Slice(0, h), gj = g.Slice(h, h), gf = g.Slice(2 * h, h), go = g.Slice(3 * h, h);
            ReadOnlySpan<float> c = cellPrevious.Slice(r * h, h);
            Span<float> cn = cellNext.Slice(r * h, h), hn = hiddenNext.Slice(r * h, h), tc = tanhCellNext.Slice(r * h, h);
            if (peep)
            {
                TensorPrimitives.FusedMultiplyAdd(peephole.Slice(0, h), c, gi, gi);
                TensorPrimitives.FusedMultiplyAdd(peephole.Slice(h, h), c, gf, gf);
            }
            // i, j and f are adjacent: σ over i, tanh over j, σ over f (and o too when it needs no peephole).
            TensorPrimitives.Sigmoid(gi, gi);
            TensorPrimitives.Tanh(gj, gj);
            TensorPrimitives.Sigmoid(peep ? gf : g.Slice(2 * h, 2 * h), peep ? gf : g.Slice(2 * h, 2 * h));
            TensorPrimitives.Multiply(gf, c, cn);
            TensorPrimitives.FusedMultiplyAdd(gi, gj, cn, cn);
            if (peep)
            {
                TensorPrimitives.FusedMultiplyAdd(peephole.Slice(2 * h, h), cn, go, go);
                TensorPrimitives.Sigmoid(go, go);
            }
            TensorPrimitives.Tanh(cn, tc);
            TensorPrimitives.Multiply(go, tc, hn);
        }
    }

    /// <summary>
    /// Backward step: from dL/dh' and dL/dc' to the gradients of the gate pre-activations and of c.
    /// </summary>
    /// <remarks>
    /// With a = activated gates, t = tanh(c'):
    /// <code>
    /// dô = dh'⊙t⊙o(1−o)
    /// dc = dc' + dh'⊙o⊙(1−t²) + dô⊙w_o
    /// dî = dc⊙j⊙i(1−i)   dĵ = dc⊙i⊙(1−j²)   df̂ = dc⊙c⊙f(1−f)
    /// dc_prev = dc⊙f + dî⊙w_i + df̂⊙w_f
    /// dw_i += Σ_rows dî⊙c   dw_f += Σ_rows df̂⊙c   dw_o += Σ_rows dô⊙c'
    /// </code>
    /// Lanes: 16 floats per step with AVX-512, else 8 with AVX, then a scalar tail for the remaining
    /// <c>hidden mod 8</c> (or mod 16) columns of each row.
    /// </remarks>
    /// <param name="rows">Batch rows in the block.</param>
    /// <param name="hidden">Units per gate.</param>
    /// <param name="cellPrevious">c, [rows, hidden].</param>
    /// <param name="cellNext">c' from the forward step, [rows, hidden].</param>
    /// <param name="tanhCellNext">tanh(c') from the forward step, [rows, hidden].</param>
    /// <param name="peephole">[3, hidden] or empty.</param>
    /// <param name="hiddenGradient">dL/dh' (output and recurrent parts summed), [rows, hidden].</param>
    /// <param name="gates">Activated gates from <see cref="Forward"/>, [rows, 4·hidden].</param>
    /// <param name="cellGradient">[rows, hidden]: dL/dc' on entry, dL/dc (previous cell) on return.</param>
    /// <param name="gateGradients">[rows, 4·hidden], overwritten with dL/d(pre-activation) in gate order i, j, f, o.</param>
    /// <param name="peepholeGradient">[3, hidden], accumulated (+=); empty when there are no peepholes.</param>
    public static void Backward(int rows, int hidden, ReadOnlySpan<float> gates, ReadOnlySpan<float> cellPrevious,
        ReadOnlySpan<float> cellNext, ReadOnlySpan<float> tanhCellNext, ReadOnlySpan<float> peephole,
        ReadOnlySpan<float> hiddenGradient, Span<float> cellGradient, Span<float> gateGradients, Span<float> peepholeGradient)
    {
        int h = hidden;
        bool peep = !peephole.IsEmpty;
        // The loops below read through unchecked references, so every extent is validated once here.
        CellChecks.Require(gates.Length >= rows * 4 * h && gateGradients.Length >= rows * 4 * h
            && cellPrevious.Length >= rows * h && cellNext.Length >= rows * h && tanhCellNext.Length >= rows * h
            && hiddenGradient.Length >= rows * h && cellGradient.Length >= rows * h
            && (!peep || (peephole.Length >= 3 * h && peepholeGradient.Length >= 3 * h)));
        if (rows == 0 || h == 0) return;
        ref float wi = ref MemoryMarshal.GetReference(peephole);
        ref float dwi = ref MemoryMarshal.GetReference(peepholeGradient);
        for (int r = 0; r < rows; r++)
        {
            ref float g = ref Unsafe.AsRef(in gates[r * 4 * h]);
            ref float dg = ref gateGradients[r * 4 * h];
            ref float c = ref Unsafe.AsRef(in cellPrevious[r * h]);
            ref float cn = ref Unsafe.AsRef(in cellNext[r * h]);
            ref float tc = ref Unsafe.AsRef(in tanhCellNext[r * h]);
            ref float dh = ref Unsafe.AsRef(in hiddenGradient[r * h]);
            ref float dc = ref cellGradient[r * h];
            int k = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; k <= h - Vector512<float>.Count; k += Vector512<float>.Count)
                {
                    nuint e = (nuint)k;
                    var one = Vector512<float>.One;
                    var i = Vector512.LoadUnsafe(ref g, e);
                    var j = Vector512.LoadUnsafe(ref g, e + (nuint)h);
                    var f = Vector512.LoadUnsafe(ref g, e + (nuint)(2 * h));
                    var o = Vector512.LoadUnsafe(ref g, e + (nuint)(3 * h));
                    var cp = Vector512.LoadUnsafe(ref c, e);
                    var t = Vector512.LoadUnsafe(ref tc, e);
                    var dhv = Vector512.LoadUnsafe(ref dh, e);
                    var dO = dhv * t * o * (one - o);
                    var dcv = Vector512.LoadUnsafe(ref dc, e) + dhv * o * (one - t * t);
                    if (peep) dcv += dO * Vector512.LoadUnsafe(ref wi, e + (nuint)(2 * h));
                    var dI = dcv * j * i * (one - i);
                    var dJ = dcv * i * (one - j * j);
                    var dF = dcv * cp * f * (one - f);
                    var dcPrev = dcv * f;
                    if (peep)
                    {
                        dcPrev += dI * Vector512.LoadUnsafe(ref wi, e) + dF * Vector512.LoadUnsafe(ref wi, e + (nuint)h);
                        (Vector512.LoadUnsafe(ref dwi, e) + dI * cp).StoreUnsafe(ref dwi, e);
                        (Vector512.LoadUnsafe(ref dwi, e + (nuint)h) + dF * cp).StoreUnsafe(ref dwi, e + (nuint)h);
                        (Vector512.LoadUnsafe(ref dwi, e + (nuint)(2 * h)) + dO * Vector512.LoadUnsafe(ref cn, e)).StoreUnsafe(ref dwi, e + (nuint)(2 * h));
                    }
                    dI.StoreUnsafe(ref dg, e);
                    dJ.StoreUnsafe(ref dg, e + (nuint)h);
                    dF.StoreUnsafe(ref dg, e + (nuint)(2 * h));
                    dO.StoreUnsafe(ref dg, e + (nuint)(3 * h));
                    dcPrev.StoreUnsafe(ref dc, e);
                }
            }
            if (Vector256.IsHardwareAccelerated)
            {
                for (; k <= h - Vector256<float>.Count; k += Vector256<float>.Count)
                {
                    nuint e = (nuint)k;
                    var one = Vector256<float>.One;
                    var i = Vector256.LoadUnsafe(ref g, e);
                    var j = Vector256.LoadUnsafe(ref g, e + (nuint)h);
                    var f = Vector256.LoadUnsafe(ref g, e + (nuint)(2 * h));
                    var o = Vector256.LoadUnsafe(ref g, e + (nuint)(3 * h));
                    var cp = Vector256.LoadUnsafe(ref c, e);
                    var t = Vector256.LoadUnsafe(ref tc, e);
                    var dhv = Vector256.LoadUnsafe(ref dh, e);
                    var dO = dhv * t * o * (one - o);
                    var dcv = Vector256.LoadUnsafe(ref dc, e) + dhv * o * (one - t * t);
                    if (peep) dcv += dO * Vector256.LoadUnsafe(ref wi, e + (nuint)(2 * h));
                    var dI = dcv * j * i * (one - i);
                    var dJ = dcv * i * (one - j * j);
                    var dF = dcv * cp * f * (one - f);
                    var dcPrev = dcv * f;
                    if (peep)
                    {
                        dcPrev += dI * Vector256.LoadUnsafe(ref wi, e) + dF * Vector256.LoadUnsafe(ref wi, e + (nuint)h);
                        (Vector256.LoadUnsafe(ref dwi, e) + dI * cp).StoreUnsafe(ref dwi, e);
                        (Vector256.LoadUnsafe(ref dwi, e + (nuint)h) + dF * cp).StoreUnsafe(ref dwi, e + (nuint)h);
                        (Vector256.LoadUnsafe(ref dwi, e + (nuint)(2 * h)) + dO * Vector256.LoadUnsafe(ref cn, e)).StoreUnsafe(ref dwi, e + (nuint)(2 * h));
                    }
                    dI.StoreUnsafe(ref dg, e);
                    dJ.StoreUnsafe(ref dg, e + (nuint)h);
                    dF.StoreUnsafe(ref dg, e + (nuint)(2 * h));
                    dO.StoreUnsafe(ref dg, e + (nuint)(3 * h));
                    dcPrev.StoreUnsafe(ref dc, e);
                }
            }
            for (; k < h; k++)
            {
                float i = Unsafe.Add(ref g, k), j = Unsafe.Add(ref g, h + k);
                float f = Unsafe.Add(ref g, 2 * h + k), o = Unsafe.Add(ref g, 3 * h + k);
                float cp = Unsafe.Add(ref c, k), t = Unsafe.Add(ref tc, k), dhv = Unsafe.Add(ref dh, k);
                float dO = dhv * t * o * (1 - o);
                float dcv = Unsafe.Add(ref dc, k) + dhv * o * (1 - t * t);
                if (peep) dcv += dO * Unsafe.Add(ref wi, 2 * h + k);
                float dI = dcv * j * i * (1 - i);
                float dJ = dcv * i * (1 - j * j);
                float dF = dcv * cp * f * (1 - f);
                float dcPrev = dcv * f;
                if (peep)
                {
                    dcPrev += dI * Unsafe.Add(ref wi, k) + dF * Unsafe.Add(ref wi, h + k);
                    Unsafe.Add(ref dwi, k) += dI * cp;
                    Unsafe.Add(ref dwi, h + k) += dF * cp;
                    Unsafe.Add(ref dwi, 2 * h + k) += dO * Unsafe.Add(ref cn, k);
                }
                Unsafe.Add(ref dg, k) = dI;
                Unsafe.Add(ref dg, h + k) = dJ;
                Unsafe.Add(ref dg, 2 * h + k) = dF;
                Unsafe.Add(ref dg, 3 * h + k) = dO;
                Unsafe.Add(ref dc, k) = dcPrev;
            }
        }
    }
}
