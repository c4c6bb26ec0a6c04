namespace Recurrent.Kernels;

/// <summary>Argument validation shared by the fused cell kernels.</summary>
internal static class CellChecks
{
    /// <summary>Throws when a span is shorter than the row and hidden counts require.</summary>
    public static void Require(bool condition)
    {
        if (!condition) throw new ArgumentException("A span is shorter than rows × hidden (× gates) requires.");
    }
}
