namespace Recurrent.Tests.Support;

/// <summary>A test that needs Linux (POSIX signals, /proc, resource limits); skipped elsewhere with the reason.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "Needs Linux: it uses POSIX signals, /proc or setrlimit on a child process.";
    }
}

/// <summary>A theory that needs Linux; skipped elsewhere with the reason.</summary>
public sealed class LinuxTheoryAttribute : TheoryAttribute
{
    public LinuxTheoryAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "Needs Linux: it uses POSIX signals, /proc or setrlimit on a child process.";
    }
}
