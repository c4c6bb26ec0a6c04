using Recurrent.Tensors;

namespace Recurrent.Training.Checkpoints;

/// <summary>A tensor and the name it is stored under in a checkpoint (a <see cref="Layers.Parameter"/>'s name).</summary>
public sealed record NamedTensor(string Name, Tensor Tensor);
