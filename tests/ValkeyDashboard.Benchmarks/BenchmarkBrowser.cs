using Microsoft.Playwright;

namespace ValkeyDashboard.Benchmarks;

/// <summary>The system's headless Chromium as every browser benchmark drives it: the same flags, a 1366×768 page.</summary>
internal static class BenchmarkBrowser
{
    /// <summary>Debian's Chromium; Playwright's own browser downloads are never used.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>Fails the benchmark before it starts anything when Chromium is missing.</summary>
    public static void Require()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new BenchmarkFailedException($"{ChromiumPath} is missing; install it (apt-get install chromium) or run eng/test.sh once, which does");
        }
    }

    /// <summary>Headless Chromium with nothing but the dashboard on the network (no sandbox: root in a container).</summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new()
    {
        ExecutablePath = ChromiumPath,
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });

    /// <summary>A page the size of a common laptop screen, 1366×768, as the browser tests use.</summary>
    public static Task<IPage> NewPageAsync(IBrowser browser) => browser.NewPageAsync(new() { ViewportSize = new() { Width = 1366, Height = 768 } });
}
