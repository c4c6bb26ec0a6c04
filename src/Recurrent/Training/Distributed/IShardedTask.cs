using Recurrent.Tensors;

namespace Recurrent.Training.Distributed;

/// <summary>
/// A task whose training batches can be split over processes (data parallel, <see cref="Trainer"/> with a
/// <see cref="ICommunicator"/> of more than one rank): each process computes the loss and gradient of its
/// <see cref="BatchShard"/> of every batch, scaled as the whole batch would scale it, so that the sum over processes
/// is the gradient one process would compute on the whole batch, up to the order of float summation.
/// </summary>
/// <remarks>
/// <para>Every process still builds the whole batch (cheap next to forward and backward) and cuts its rows from it,
/// so anything drawn per batch, such as word dropout, is drawn the same on every rank; dropout masks are drawn for the
/// whole batch and cut the same way (<see cref="Layers.Dropout.DrawForRows"/>). The model's random generator so stays
/// the same on every rank.</para>
/// <para>A shard may be empty (a batch with fewer rows than processes): <see cref="ITrainingTask.TrainBatch"/> then
/// returns a zero <see cref="BatchLoss"/> without running the model, and the trainer copies the root's generator state
/// to every rank after the step.</para>
/// </remarks>
internal interface IShardedTask : ITrainingTask
{
    /// <summary>Computes <paramref name="shard"/> of every training batch from now on; called once, before training or resuming.</summary>
    /// <exception cref="RecurrentException">The batches cannot be split so (for example, fewer streams than processes).</exception>
    void UseShard(BatchShard shard);

    /// <summary>
    /// Before a checkpoint: writes this shard's rows of the carried state into <see cref="ITrainingTask.CarriedState"/>,
    /// which has the whole batch's shape, and zeroes the other rows, so that the sum over all shards is the whole
    /// batch's state, the one a checkpoint stores.
    /// </summary>
    void ExportCarriedState();

    /// <summary>After a checkpoint was restored into <see cref="ITrainingTask.CarriedState"/> (the whole batch's state): takes this shard's rows.</summary>
    void ImportCarriedState();
}
