using Microsoft.Playwright;

namespace OrleansLlm.Server.Tests;

/// <summary>
/// Debian's Chromium (installed by <c>.ci/run</c>), driven by Playwright's .NET driver (its NuGet
/// package carries the driver; no browser is ever downloaded). The flags keep a headless Chromium
/// off the network this machine does not have: without them it tries Google's hosts at every start.
/// </summary>
internal static class HeadlessChromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private static readonly string[] Flags =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    /// <summary>Playwright and a launched browser; fails, never skips, when Chromium is missing.</summary>
    public static async Task<(IPlaywright Playwright, IBrowser Browser)> Launch()
    {
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException($"{ExecutablePath} is missing: the dashboard's browser test needs Debian's chromium package; run .ci/run (it installs it) or apt-get install -y chromium");
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ExecutablePath, Headless = true, Args = Flags, Timeout = 60_000 });
            return (playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }
}
