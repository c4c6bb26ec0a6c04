namespace Recurrent.Tests.Support;

/// <summary>
/// A test that drives Debian's Chromium through its ChromeDriver (packages <c>chromium</c> and <c>chromium-driver</c>,
/// which <c>.ci/run</c> installs). Where either binary is missing the test is reported as skipped, with the reason,
/// instead of passing without having run. <c>RECURRENT_CHROMIUM</c> and <c>RECURRENT_CHROMEDRIVER</c> override the paths.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (!File.Exists(Chromium.Browser)) Skip = $"Chromium is not installed ({Chromium.Browser} is missing): apt-get install chromium chromium-driver, or set RECURRENT_CHROMIUM.";
        else if (!File.Exists(Chromium.Driver)) Skip = $"ChromeDriver is not installed ({Chromium.Driver} is missing): apt-get install chromium-driver, or set RECURRENT_CHROMEDRIVER.";
    }
}

/// <summary>Where the browser test finds Chromium and its driver.</summary>
public static class Chromium
{
    public static string Browser => Environment.GetEnvironmentVariable("RECURRENT_CHROMIUM") ?? "/usr/bin/chromium";

    public static string Driver => Environment.GetEnvironmentVariable("RECURRENT_CHROMEDRIVER") ?? "/usr/bin/chromedriver";
}
