namespace Recurrent.Server.Api;

/// <summary><c>GET /healthz</c>: liveness, load and memory (the load benchmark reads the memory figures).</summary>
/// <param name="Status"><c>ok</c>, or <c>stopping</c> (with 503) once the server has been asked to stop.</param>
/// <param name="Computing">Requests computing now (at most <see cref="ComputeSlots"/>).</param>
/// <param name="Waiting">Requests waiting for a compute slot.</param>
public sealed record HealthResponse(string Status, int Models, int ComputeSlots, int Computing, int Waiting, int ActiveGenerations,
    long GeneratedTokens, long WorkingSetBytes, long GcHeapBytes, long UptimeSeconds);
