using Recurrent.Tensors;

namespace Recurrent.Layers;

/// <summary>
/// A layer that maps a batch of sequences [time, batch, InputSize] to [time, batch, OutputSize] while
/// carrying a <see cref="RecurrentState"/> through time.
/// </summary>
/// <remarks>
/// <see cref="Forward"/> caches what <see cref="Backward"/> needs in buffers the layer owns; they are sized on
/// the first batch and reused, so steady-state training allocates nothing. Backward refers to the most recent
/// Forward and may be called more than once for it.
/// </remarks>
internal interface IRecurrentLayer : IHasParameters
{
    /// <summary>Features per time step of the input.</summary>
    int InputSize { get; }

    /// <summary>Features per time step of the output.</summary>
    int OutputSize { get; }

    /// <summary>A zero state of the right structure and shapes for <paramref name="batchSize"/> sequences.</summary>
    RecurrentState CreateState(int batchSize);

    /// <summary>Runs the layer over whole sequences.</summary>
    /// <param name="input">[T, B, InputSize].</param>
    /// <param name="initial">State before step 0 (not modified unless it is the same object as <paramref name="final"/>).</param>
    /// <param name="output">Resized to [T, B, OutputSize] and overwritten.</param>
    /// <param name="final">Receives the state after each sequence's last valid step; may be <paramref name="initial"/>.</param>
    /// <param name="lengths">
    /// Empty: every sequence has T steps. Otherwise B lengths in [0, T]: steps t ≥ lengths[b] leave row b's state
    /// unchanged and output zeros (TensorFlow's dynamic_rnn with sequence_length).
    /// </param>
    void Forward(Tensor input, RecurrentState initial, Tensor output, RecurrentState final, ReadOnlySpan<int> lengths = default);

    /// <summary>Back-propagates through the sequences of the last <see cref="Forward"/>.</summary>
    /// <param name="outputGradient">dL/d output, [T, B, OutputSize].</param>
    /// <param name="finalStateGradient">dL/d final state, or null for zero.</param>
    /// <param name="inputGradient">Resized to [T, B, InputSize] and overwritten with dL/d input.</param>
    /// <param name="initialStateGradient">Overwritten with dL/d initial state, or null when not wanted.</param>
    /// <remarks>Parameter gradients are accumulated (+=) into <see cref="Parameter.Gradient"/>.</remarks>
    void Backward(Tensor outputGradient, RecurrentState? finalStateGradient, Tensor inputGradient, RecurrentState? initialStateGradient);
}
