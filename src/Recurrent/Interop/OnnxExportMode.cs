namespace Recurrent.Interop;

/// <summary>How a language model is exported to ONNX (classifiers and taggers always read whole sequences).</summary>
internal enum OnnxExportMode
{
    /// <summary>Whole sequences: tokens [steps, batch] and the state in; logits [steps, batch, vocab] and the state after the last step out.</summary>
    Sequence,

    /// <summary>One step: tokens [batch] and the state in; logits [batch, vocab] and the next state out (generation, streaming).</summary>
    Step,
}
