using System.Diagnostics;
using Recurrent.Tests.Support;
using Xunit.Abstractions;

namespace Recurrent.Tests.Packaging;

/// <summary>Runs alone: it compiles the library and a sample, which would slow the timing-sensitive tests beside it.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PackagingCollection
{
    public const string Name = "Packaging";
}

/// <summary>
/// The library as a user gets it: <c>dotnet pack</c> makes the Recurrent package, and samples/Quickstart, which
/// references the package (not the project), restores it from a local feed, builds, trains a small model with the
/// public API only, and checks its own results. Slow (a minute or two: it compiles the library and the sample).
/// </summary>
[Trait("Category", "Packaging")]
[Collection(PackagingCollection.Name)]
public sealed class SamplePackageTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    [Fact]
    public void QuickstartBuildsAgainstThePackedLibraryAndPasses()
    {
        string root = RepositoryRoot();
        using var dir = new TempDirectory();
        // A version no cache can hold: the package restored must be the one packed here.
        string version = "0.1.0-test." + Guid.NewGuid().ToString("N")[..12];
        string feed = dir.File("feed");

        // Built under the temp folder (--artifacts-path), so the repository's own bin and obj are left alone.
        Dotnet(root, ["pack", Path.Combine(root, "src", "Recurrent", "Recurrent.csproj"), "-c", "Release", "-o", feed,
            "--artifacts-path", dir.File("artifacts"), $"-p:Version={version}", "-nodeReuse:false"]);
        Assert.True(File.Exists(Path.Combine(feed, $"Recurrent.{version}.nupkg")), $"no Recurrent.{version}.nupkg in {feed}");

        // The sample outside the repository, with a NuGet.config naming the local feed and the usual source (the
        // package's dependencies come from the machine's package folder, else from nuget.org).
        string samples = dir.File("samples");
        CopyDirectory(Path.Combine(root, "samples", "Quickstart"), Path.Combine(samples, "Quickstart"));
        File.Copy(Path.Combine(root, "samples", "Directory.Build.props"), Path.Combine(samples, "Directory.Build.props"));
        string globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(samples, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="machine" value="{globalPackages}" />
              </fallbackPackageFolders>
            </configuration>
            """);
        string packages = dir.File("packages");
        string run = Dotnet(samples, ["run", "--project", "Quickstart", "-c", "Release", $"-p:RecurrentVersion={version}", "--disable-build-servers"],
            new Dictionary<string, string> { ["NUGET_PACKAGES"] = packages });

        Assert.True(Directory.Exists(Path.Combine(packages, "recurrent", version)), "the sample did not restore the package packed by this test");
        Assert.Contains("Quickstart: ok", run);
        Assert.Contains("after 'the ca': 't'", run);
    }

    /// <summary>Runs <c>dotnet</c> with <paramref name="args"/> and returns its output; fails the test on a non-zero exit.</summary>
    private string Dotnet(string workingDirectory, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(CliProcess.DotnetHost)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args) info.ArgumentList.Add(a);
        // The test host's MSBuild variables would point the child build at the test run's MSBuild instead of its own.
        foreach (string key in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            info.Environment.Remove(key);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        if (environment is not null)
            foreach (var (key, value) in environment) info.Environment[key] = value;

        var lines = new List<string>();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (lines) lines.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (lines) lines.Add(e.Data); };
        var clock = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        process.WaitForExit(); // drains the output handlers
        string text;
        lock (lines) text = string.Join('\n', lines);
        output.WriteLine($"$ dotnet {string.Join(' ', info.ArgumentList)}   ({clock.Elapsed.TotalSeconds:F0} s, exit {process.ExitCode})");
        output.WriteLine(text);
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', info.ArgumentList)} exited with {process.ExitCode}:\n{text}");
        return text;
    }

    /// <summary>The folder holding Recurrent.slnx, above the test assembly.</summary>
    private static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Recurrent.slnx"))) return d.FullName;
        throw new InvalidOperationException($"No Recurrent.slnx above {AppContext.BaseDirectory}.");
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (string sub in Directory.GetDirectories(from))
        {
            string name = Path.GetFileName(sub);
            if (name is "bin" or "obj") continue; // a local build of the sample is not part of it
            CopyDirectory(sub, Path.Combine(to, name));
        }
    }
}
