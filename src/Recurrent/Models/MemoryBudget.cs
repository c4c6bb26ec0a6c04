using System.Globalization;

namespace Recurrent.Models;

/// <summary>
/// How much memory a model may take, and the check that refuses one that would not fit before any of it is
/// allocated (<see cref="LanguageModel"/>'s constructor calls <see cref="Require(MemoryEstimate)"/> first; the
/// classifier, tagger and word-embedding commands call it once the vocabulary and the longest batch are known, and the
/// classifier's and tagger's constructors check their weights).
/// </summary>
/// <remarks>
/// The memory available is the smallest of: <c>MemAvailable</c> in <c>/proc/meminfo</c> (free memory plus the page
/// cache the kernel can drop); the room left under the process's cgroup limit (v2 <c>memory.max</c> −
/// <c>memory.current</c>, or v1 <c>memory.limit_in_bytes</c> − <c>memory.usage_in_bytes</c>); and the .NET runtime's own
/// limit (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>, which honours <c>DOTNET_GCHeapHardLimit</c>).
/// Elsewhere than Linux only the last is known. <see cref="Limit"/> (<c>--max-memory</c>) replaces all of them.
/// </remarks>
internal static class MemoryBudget
{
    /// <summary>When set, the memory a model may use instead of what the machine reports (<c>--max-memory</c>).</summary>
    public static long? Limit { get; set; }

    /// <summary>The memory available now, and where the figure comes from (for messages).</summary>
    public static (long Bytes, string Source) Available()
    {
        if (Limit is { } limit) return (limit, "--max-memory");
        long best = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        string source = "the .NET runtime's memory limit";
        if (OperatingSystem.IsLinux())
        {
            if (ReadMemAvailable(TryRead("/proc/meminfo")) is { } available && available < best)
                (best, source) = (available, "MemAvailable in /proc/meminfo");
            if (CgroupRoom() is { } room && room < best)
                (best, source) = (room, "the room left under this process's cgroup memory limit");
        }
        return (best, source);
    }

    /// <summary>
    /// Refuses a model that cannot be built: one whose largest buffer is more than a .NET array holds, or whose
    /// total (<see cref="MemoryEstimate.TotalBytes"/>) exceeds <see cref="Available"/>.
    /// </summary>
    /// <exception cref="RecurrentException">The message gives the figures and what to change.</exception>
    public static void Require(MemoryEstimate estimate)
    {
        (long available, string source) = Available();
        Require(estimate, available, source);
    }

    /// <summary>As <see cref="Require(MemoryEstimate)"/> against a given figure; <paramref name="source"/> says where it comes from.</summary>
    public static void Require(MemoryEstimate estimate, long available, string source)
    {
        if (estimate.LargestTensorElements > Array.MaxLength)
            throw new RecurrentException(
                $"This model is too large to build: {estimate.LargestTensor} would hold {estimate.LargestTensorElements:N0} numbers, " +
                $"more than the {Array.MaxLength:N0} one .NET array can. {estimate.ArrayAdvice ?? estimate.Advice}.");
        if (estimate.TotalBytes > available)
            throw new RecurrentException(
                $"This model needs {MemoryEstimate.Format(estimate.TotalBytes)} for its {estimate.PartNames}; {MemoryEstimate.Format(available)} are available ({source}). " +
                $"In detail: {estimate}. {estimate.Advice}, or set --max-memory if the available figure is wrong.");
    }

    /// <summary>
    /// Reads a size: a number of bytes, optionally with a suffix: K, M, G, T (or KiB, MiB, GiB, TiB) for powers of 1024,
    /// KB, MB, GB, TB for powers of 1000. Case is ignored and a fraction is allowed (<c>1.5G</c>).
    /// </summary>
    /// <exception cref="RecurrentException">Not a positive size; the message names <paramref name="option"/>.</exception>
    public static long ParseSize(string text, string option)
    {
        string s = text.Trim();
        int split = s.Length;
        while (split > 0 && char.IsAsciiLetter(s[split - 1])) split--;
        string unit = s[split..].ToUpperInvariant();
        double scale = unit switch
        {
            "" or "B" => 1,
            "K" or "KIB" => 1L << 10,
            "M" or "MIB" => 1L << 20,
            "G" or "GIB" => 1L << 30,
            "T" or "TIB" => 1L << 40,
            "KB" => 1e3,
            "MB" => 1e6,
            "GB" => 1e9,
            "TB" => 1e12,
            _ => double.NaN,
        };
        if (double.IsNaN(scale)
            || !double.TryParse(s[..split], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number)
            || !(number * scale >= 1) || number * scale >= long.MaxValue)
            throw new RecurrentException($"{option} must be a size such as 8G, 512M or 1.5GB, got '{text}'.");
        return (long)(number * scale);
    }

    /// <summary><c>MemAvailable</c> of a <c>/proc/meminfo</c> text, in bytes, or null.</summary>
    internal static long? ReadMemAvailable(string? meminfo)
    {
        if (meminfo is null) return null;
        foreach (string line in meminfo.Split('\n'))
        {
            if (!line.StartsWith("MemAvailable:", StringComparison.Ordinal)) continue;
            string[] parts = line["MemAvailable:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 1 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long kb))
                return parts.Length >= 2 && parts[1] == "kB" ? kb * 1024 : kb;
        }
        return null;
    }

    /// <summary>Room left under the cgroup memory limit of this process (v2, else v1), or null when unlimited or unknown.</summary>
    private static long? CgroupRoom()
    {
        string? cgroups = TryRead("/proc/self/cgroup");
        if (cgroups is null) return null;
        foreach (string line in cgroups.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] fields = line.Split(':', 3);
            if (fields.Length != 3) continue;
            if (fields[0] == "0" && fields[1] == "")
            {
                string folder = "/sys/fs/cgroup" + fields[2].TrimEnd('/');
                if (Room(TryRead(folder + "/memory.max"), TryRead(folder + "/memory.current")) is { } v2) return v2;
            }
            else if (fields[1].Split(',').Contains("memory"))
            {
                foreach (string folder in (string[])["/sys/fs/cgroup/memory" + fields[2].TrimEnd('/'), "/sys/fs/cgroup/memory"])
                    if (Room(TryRead(folder + "/memory.limit_in_bytes"), TryRead(folder + "/memory.usage_in_bytes")) is { } v1) return v1;
            }
        }
        return null;
    }

    /// <summary>limit − usage from a cgroup's files; null when there is no limit ("max", or v1's huge "unlimited" value).</summary>
    internal static long? Room(string? limitText, string? usageText)
    {
        if (limitText is null || !long.TryParse(limitText.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long limit)) return null;
        if (limit >= long.MaxValue / 2) return null;
        long usage = usageText is not null && long.TryParse(usageText.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long u) ? u : 0;
        return Math.Max(limit - usage, 0);
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
