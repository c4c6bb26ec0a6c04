namespace Recurrent.Server.Api;

/// <summary><c>GET /healthz</c>: liveness, load and memory (the load benchmark reads the memory figures).</summary>
/// <param name="Status"><c>ok</c>, or <c>stopping</c> (with 503) once the server has been asked to stop.</param>
/// <param name="Computing">Requests computing now (at most <see cref="ComputeSlots"/>).</param>
/// <param name="Waiting">Requests waiting for a compute slot.</param>
/// <param name="CpuSeconds">Processor time the server has used, all threads (on a shared machine, CPU per request is steadier than wall time).</param>
public sealed record HealthResponse(string Status, int Models, int ComputeSlots, int Computing, int Waiting, int ActiveGenerations,
    long GeneratedTokens, long WorkingSetBytes, long GcHeapBytes, double CpuSeconds, long UptimeSeconds);
