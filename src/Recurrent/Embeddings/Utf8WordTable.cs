using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Recurrent.Embeddings;

/// <summary>
/// An open-addressing hash table from words given as UTF-8 bytes to dense indices 0, 1, 2, ... in order of
/// insertion, with a count per word.
/// </summary>
/// <remarks>
/// The training threads look every word of the text up here, once per epoch, so the lookup works on the bytes the
/// <see cref="WordReader"/> hands out: no decoding, no string, no allocation. Word bytes live in one pooled array;
/// a slot holds index + 1 (0 = empty) and the table is kept at most half full, so probes are short.
/// </remarks>
internal sealed class Utf8WordTable
{
    private byte[] _bytes = new byte[1 << 12];
    private int _bytesUsed;
    private int[] _offsets = new int[64];
    private int[] _lengths = new int[64];
    private uint[] _hashes = new uint[64];
    private long[] _counts = new long[64];
    private int[] _slots = new int[128];
    private int _mask = 127;

    /// <summary>Number of distinct words.</summary>
    public int Count { get; private set; }

    /// <summary>The bytes of word <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> WordBytes(int index) => _bytes.AsSpan(_offsets[index], _lengths[index]);

    /// <summary>The count of word <paramref name="index"/>, by reference.</summary>
    public ref long CountOf(int index) => ref _counts[index];

    /// <summary>The index of <paramref name="word"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(ReadOnlySpan<byte> word)
    {
        uint hash = Hash(word);
        int slot = (int)hash & _mask;
        while (true)
        {
            int entry = _slots[slot] - 1;
            if (entry < 0) return -1;
            if (_hashes[entry] == hash && word.SequenceEqual(_bytes.AsSpan(_offsets[entry], _lengths[entry]))) return entry;
            slot = (slot + 1) & _mask;
        }
    }

    /// <summary>The index of <paramref name="word"/>, adding it (count 0) when new.</summary>
    public int FindOrAdd(ReadOnlySpan<byte> word, out bool added)
    {
        uint hash = Hash(word);
        int slot = (int)hash & _mask;
        while (true)
        {
            int entry = _slots[slot] - 1;
            if (entry < 0) break;
            if (_hashes[entry] == hash && word.SequenceEqual(_bytes.AsSpan(_offsets[entry], _lengths[entry])))
            {
                added = false;
                return entry;
            }
            slot = (slot + 1) & _mask;
        }
        added = true;
        int index = Count;
        if (index == _offsets.Length)
        {
            int grown = index * 2;
            Array.Resize(ref _offsets, grown);
            Array.Resize(ref _lengths, grown);
            Array.Resize(ref _hashes, grown);
            Array.Resize(ref _counts, grown);
        }
        if (_bytesUsed + word.Length > _bytes.Length)
            Array.Resize(ref _bytes, (int)Math.Min(Array.MaxLength, Math.Max(2L * _bytes.Length, (long)_bytesUsed + word.Length)));
        word.CopyTo(_bytes.AsSpan(_bytesUsed));
        _offsets[index] = _bytesUsed;
        _lengths[index] = word.Length;
        _hashes[index] = hash;
        _counts[index] = 0;
        _bytesUsed += word.Length;
        _slots[slot] = index + 1;
        Count = index + 1;
        if (2 * Count > _slots.Length) Rehash(_slots.Length * 2);
        return index;
    }

    private void Rehash(int size)
    {
        _slots = new int[size];
        _mask = size - 1;
        for (int i = 0; i < Count; i++)
        {
            int slot = (int)_hashes[i] & _mask;
            while (_slots[slot] != 0) slot = (slot + 1) & _mask;
            _slots[slot] = i + 1;
        }
    }

    /// <summary>A 64-bit multiply-xorshift hash of the bytes, eight at a time, folded to 32 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint Hash(ReadOnlySpan<byte> word)
    {
        ulong h = 0x9E3779B97F4A7C15UL ^ (ulong)word.Length;
        int i = 0;
        for (; i + 8 <= word.Length; i += 8)
        {
            h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(word[i..])) * 0xFF51AFD7ED558CCDUL;
            h = BitOperations.RotateLeft(h, 29);
        }
        if (i < word.Length)
        {
            ulong tail = 0;
            for (int j = word.Length - 1; j >= i; j--) tail = (tail << 8) | word[j];
            h = (h ^ tail) * 0xC4CEB9FE1A85EC53UL;
        }
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        return (uint)h;
    }
}
