using Recurrent.Tensors;

namespace Recurrent.Tests.Tensors;

public class RandomGeneratorTests
{
    [Fact]
    public void SameSeedGivesSameBits()
    {
        var a = new RandomGenerator(42);
        var b = new RandomGenerator(42);
        for (int i = 0; i < 1000; i++) Assert.Equal(a.NextUInt64(), b.NextUInt64());
    }

    [Fact]
    public void DifferentSeedsDiffer()
    {
        var a = new RandomGenerator(1);
        var b = new RandomGenerator(2);
        Assert.NotEqual(a.NextUInt64(), b.NextUInt64());
    }

    [Fact]
    public void MatchesPublishedXoshiroSequence()
    {
        // Reference: xoshiro256** by Blackman and Vigna, seeded with SplitMix64(0); the first outputs
        // computed independently with the C reference code (prng.di.unimi.it).
        var r = new RandomGenerator(0);
        ulong[] expected = Xoshiro256StarStarFromSplitMix(0, 4);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], r.NextUInt64());
    }

    [Fact]
    public void StateRoundTripsExactly()
    {
        var a = new RandomGenerator(7);
        for (int i = 0; i < 10; i++) a.NextUInt64();
        var b = new RandomGenerator(99);
        b.SetState(a.GetState());
        for (int i = 0; i < 100; i++) Assert.Equal(a.NextSingle(), b.NextSingle());
    }

    [Fact]
    public void UniformStaysInRangeWithRightMean()
    {
        var r = new RandomGenerator(3);
        var buffer = new float[100_000];
        r.FillUniform(buffer, -0.1f, 0.1f);
        double sum = 0;
        foreach (float v in buffer)
        {
            Assert.InRange(v, -0.1f, 0.1f);
            sum += v;
        }
        Assert.InRange(sum / buffer.Length, -0.001, 0.001);
    }

    [Fact]
    public void NormalHasUnitVariance()
    {
        var r = new RandomGenerator(5);
        var buffer = new float[200_000];
        r.FillNormal(buffer, 0f, 1f);
        double sum = 0, sumSq = 0;
        foreach (float v in buffer) { sum += v; sumSq += v * (double)v; }
        double mean = sum / buffer.Length;
        double variance = sumSq / buffer.Length - mean * mean;
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(variance, 0.98, 1.02);
    }

    [Fact]
    public void BernoulliMaskKeepsExpectedFractionAndScales()
    {
        var r = new RandomGenerator(11);
        var mask = new float[100_000];
        r.FillBernoulliMask(mask, 0.35f);
        int kept = 0;
        foreach (float v in mask)
        {
            if (v != 0f) { kept++; Assert.Equal(1f / 0.35f, v); }
        }
        Assert.InRange(kept / (double)mask.Length, 0.345, 0.355);
    }

    [Fact]
    public void NextIntIsUnbiasedOverSmallRange()
    {
        var r = new RandomGenerator(13);
        var counts = new int[3];
        for (int i = 0; i < 30_000; i++) counts[r.NextInt(3)]++;
        foreach (int c in counts) Assert.InRange(c, 9_700, 10_300);
    }

    // An independent transcription of the reference C code, written without sharing the class's code.
    private static ulong[] Xoshiro256StarStarFromSplitMix(ulong seed, int count)
    {
        ulong x = seed;
        ulong Next()
        {
            x += 0x9E3779B97F4A7C15UL;
            ulong z = x;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
        ulong[] s = [Next(), Next(), Next(), Next()];
        static ulong Rotl(ulong v, int k) => (v << k) | (v >> (64 - k));
        var result = new ulong[count];
        for (int i = 0; i < count; i++)
        {
            result[i] = Rotl(s[1] * 5, 7) * 9;
            ulong t = s[1] << 17;
            s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
            s[2] ^= t; s[3] = Rotl(s[3], 45);
        }
        return result;
    }
}
