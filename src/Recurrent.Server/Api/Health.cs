namespace Recurrent.Server.Api;

/// <summary><c>GET /healthz</c>: liveness, load and memory (the load benchmark reads the memory figures).</summary>
/// <param name="Status"><c>ok</c>, or <c>stopping</c> (with 503) once the server has been asked to stop.</param>
/// <param name="Computing">Requests computing now (at most <see cref="ComputeSlots"/>).</param>
/// <param name="Waiting">Requests waiting for a compute slot.</param>
/// <param name="CpuSeconds">Processor time the server has used, all threads (on a shared machine, CPU per request is steadier than wall time).</param>
/// <param name="Next">Where the time of <c>next</c> went since start (the load benchmark's breakdown).</param>
public sealed record HealthResponse(string Status, int Models, int ComputeSlots, int Computing, int Waiting, int ActiveGenerations,
    long GeneratedTokens, long WorkingSetBytes, long GcHeapBytes, double CpuSeconds, long UptimeSeconds, NextStatistics Next);

/// <summary>
/// The <c>next</c> requests answered since start, every model together, and their time: summed over requests
/// (<see cref="QueueSeconds"/>, <see cref="ComputeSeconds"/>) or over batches (the rest). Divide by
/// <see cref="Requests"/> or <see cref="Batches"/> for means.
/// </summary>
/// <param name="Batches">Computations; <c>Requests / Batches</c> is the mean batch size (1 without batching).</param>
/// <param name="QueueSeconds">From a request's arrival at its model to the start of its batch's computation (waiting for company, for the batch before it, for a compute slot).</param>
/// <param name="ComputeSeconds">The computation of the request's batch, charged to each of its requests.</param>
/// <param name="BatchSeconds">The computations themselves: what the model's worker was busy with.</param>
/// <param name="RecurrentSeconds">Of <see cref="BatchSeconds"/>: embedding and recurrent steps (batched computations only).</param>
/// <param name="ProjectionSeconds">Of <see cref="BatchSeconds"/>: the softmax projection h·W + b.</param>
/// <param name="SoftmaxSeconds">Of <see cref="BatchSeconds"/>: the softmax; the rest is the top-k selection and the answers.</param>
public sealed record NextStatistics(long Requests, long Batches, double QueueSeconds, double ComputeSeconds, double BatchSeconds,
    double RecurrentSeconds, double ProjectionSeconds, double SoftmaxSeconds);
