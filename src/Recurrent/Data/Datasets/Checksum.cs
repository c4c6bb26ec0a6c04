using System.Security.Cryptography;

namespace Recurrent.Data.Datasets;

/// <summary>Hash functions a dataset descriptor can name.</summary>
internal enum ChecksumAlgorithm
{
    Sha256,

    /// <summary>Only for archives whose published checksum is MD5 (Mikolov's simple-examples.tgz); it detects corruption, not tampering.</summary>
    Md5,
}

/// <summary>An expected hash of a file, as lowercase or uppercase hex.</summary>
internal sealed record Checksum(ChecksumAlgorithm Algorithm, string Hex)
{
    public static Checksum Sha256(string hex) => new(ChecksumAlgorithm.Sha256, hex);

    public static Checksum Md5(string hex) => new(ChecksumAlgorithm.Md5, hex);

    /// <summary>A fresh incremental hash of this checksum's algorithm.</summary>
    public IncrementalHash CreateHash() => IncrementalHash.CreateHash(Algorithm switch
    {
        ChecksumAlgorithm.Sha256 => HashAlgorithmName.SHA256,
        ChecksumAlgorithm.Md5 => HashAlgorithmName.MD5,
        _ => throw new ArgumentOutOfRangeException(nameof(Algorithm), Algorithm, null),
    });

    /// <summary>True when <paramref name="hash"/> equals the expected value.</summary>
    public bool Matches(ReadOnlySpan<byte> hash) => string.Equals(Convert.ToHexStringLower(hash), Hex, StringComparison.OrdinalIgnoreCase);

    public override string ToString() => $"{(Algorithm == ChecksumAlgorithm.Sha256 ? "sha256" : "md5")}:{Hex.ToLowerInvariant()}";
}
