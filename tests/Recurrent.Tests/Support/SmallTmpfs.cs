using System.Diagnostics;

namespace Recurrent.Tests.Support;

/// <summary>
/// A real, tiny tmpfs mounted under the temp folder, to fill a disk for real. Mounting needs root with
/// CAP_SYS_ADMIN (as on a developer's machine or a privileged container); where that is not allowed the tests that
/// need it are skipped (<see cref="TmpfsFactAttribute"/>) and the file-size-limit test covers the same path.
/// </summary>
internal sealed class SmallTmpfs : IDisposable
{
    private static readonly Lazy<string?> s_skipReason = new(Probe);

    private SmallTmpfs(string path) => Path = path;

    public string Path { get; }

    /// <summary>Why a tmpfs cannot be mounted here, or null when it can.</summary>
    public static string? SkipReason => s_skipReason.Value;

    /// <summary>Mounts a tmpfs of <paramref name="kilobytes"/> KiB (rounded up to pages by the kernel).</summary>
    public static SmallTmpfs Mount(int kilobytes)
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "recurrent-tmpfs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        (int code, string error) = Run("mount", "-t", "tmpfs", "-o", $"size={kilobytes}k", "tmpfs", path);
        if (code != 0)
        {
            Directory.Delete(path);
            throw new InvalidOperationException($"mount failed ({code}): {error}");
        }
        return new SmallTmpfs(path);
    }

    /// <summary>Makes the file system read-only (<c>mount -o remount,ro</c>).</summary>
    public void RemountReadOnly()
    {
        (int code, string error) = Run("mount", "-o", "remount,ro", Path);
        if (code != 0) throw new InvalidOperationException($"remount failed ({code}): {error}");
    }

    public void Dispose()
    {
        Run("umount", Path);
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux()) return "Needs Linux tmpfs.";
        try
        {
            using var probe = Mount(64);
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return $"Cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN): {e.Message.Trim()}";
        }
    }

    private static (int Code, string Error) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in args) info.ArgumentList.Add(a);
        using Process process = Process.Start(info)!;
        string error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error);
    }
}

/// <summary>A test that mounts a small tmpfs; skipped with the reason where mounting is not allowed.</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (SmallTmpfs.SkipReason is { } reason) Skip = reason;
    }
}
