using System.Numerics;
using System.Runtime.CompilerServices;

namespace Recurrent.Tensors;

/// <summary>
/// A seedable, deterministic pseudo-random generator: xoshiro256** seeded through SplitMix64.
/// </summary>
/// <remarks>
/// The same seed gives the same bits on every machine and every run, independent of thread count,
/// which <see cref="System.Random"/> does not promise. The whole state is four 64-bit words,
/// exposed by <see cref="GetState"/> and <see cref="SetState"/> so a checkpoint can resume the exact stream.
/// </remarks>
public sealed class RandomGenerator
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a generator whose stream is fully determined by <paramref name="seed"/>.</summary>
    public RandomGenerator(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>The next 64 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 24 bits of precision: every value is an exact float.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float NextSingle() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>Uniform in [0, 1) with 53 bits of precision.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias (Lemire's method).</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive));
        ulong range = (ulong)maxExclusive;
        while (true)
        {
            ulong r = NextUInt64() >> 32;
            ulong m = r * range;
            ulong low = m & 0xFFFFFFFF;
            if (low >= range || low >= ((1UL << 32) - range) % range)
                return (int)(m >> 32);
        }
    }

    /// <summary>Standard normal sample (Box–Muller; uses two uniforms per call so the state stays four words).</summary>
    public double NextNormal()
    {
        double u1 = 1.0 - NextDouble(); // (0, 1]: log is finite
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Fills <paramref name="destination"/> with samples uniform in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public void FillUniform(Span<float> destination, float low, float high)
    {
        float width = high - low;
        for (int i = 0; i < destination.Length; i++)
            destination[i] = low + width * NextSingle();
    }

    /// <summary>Fills <paramref name="destination"/> with normal samples of the given mean and standard deviation.</summary>
    public void FillNormal(Span<float> destination, float mean, float standardDeviation)
    {
        for (int i = 0; i < destination.Length; i++)
            destination[i] = (float)(mean + standardDeviation * NextNormal());
    }

    /// <summary>
    /// Fills an inverted-dropout mask: each element is <c>1 / keepProbability</c> with probability
    /// <paramref name="keepProbability"/> and 0 otherwise, so that multiplying by the mask keeps the expectation.
    /// </summary>
    public void FillBernoulliMask(Span<float> destination, float keepProbability)
    {
        if (keepProbability <= 0f || keepProbability > 1f)
            throw new ArgumentOutOfRangeException(nameof(keepProbability), "Keep probability must be in (0, 1].");
        float scale = 1f / keepProbability;
        // Compare on 24-bit integers so the threshold is exact and the result is platform independent.
        uint threshold = (uint)Math.Round(keepProbability * (1 << 24));
        for (int i = 0; i < destination.Length; i++)
            destination[i] = (uint)(NextUInt64() >> 40) < threshold ? scale : 0f;
    }

    /// <summary>The generator's complete state, for checkpoints.</summary>
    public ulong[] GetState() => [_s0, _s1, _s2, _s3];

    /// <summary>Restores a state taken by <see cref="GetState"/>.</summary>
    public void SetState(ReadOnlySpan<ulong> state)
    {
        if (state.Length != 4) throw new ArgumentException("A generator state is four 64-bit words.", nameof(state));
        if ((state[0] | state[1] | state[2] | state[3]) == 0) throw new ArgumentException("The all-zero state is invalid.", nameof(state));
        (_s0, _s1, _s2, _s3) = (state[0], state[1], state[2], state[3]);
    }

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
