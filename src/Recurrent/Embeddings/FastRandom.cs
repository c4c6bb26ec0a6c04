using System.Runtime.CompilerServices;

namespace Recurrent.Embeddings;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood 2014): one 64-bit word of state, one multiply-xorshift chain per draw.
/// </summary>
/// <remarks>
/// The training threads draw several random numbers per word pair (window, subsampling, noise words); a struct
/// held in a local keeps the state in a register, where <see cref="Tensors.RandomGenerator"/> (a class) would
/// load and store its four words on every call. SplitMix64 passes BigCrush; each thread seeds its own.
/// </remarks>
internal struct FastRandom
{
    private ulong _state;

    public FastRandom(ulong seed) => _state = seed;

    /// <summary>The seed of stream <paramref name="stream"/> under <paramref name="seed"/> (thread i, epoch e, ...).</summary>
    public static ulong Derive(ulong seed, ulong stream)
    {
        var r = new FastRandom(seed ^ (stream * 0xD1B54A32D192ED03UL));
        r.Next();
        return r.Next();
    }

    /// <summary>The next 64 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, <paramref name="n"/>) by multiply-shift of 32 random bits (bias below n/2³²).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int NextInt(int n) => (int)(((Next() >> 32) * (ulong)(uint)n) >> 32);
}
