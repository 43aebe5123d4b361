using Microsoft.Playwright;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.BrowserTests.Infrastructure;

/// <summary>Screenshots kept as test artefacts in <c>artifacts/screenshots/</c> under the repository root.</summary>
public static class Screenshots
{
    public static string Folder { get; } = Path.Combine(TestDirectories.RepositoryRoot(), "artifacts", "screenshots");

    /// <summary>
    /// Saves what <paramref name="page"/> shows as <paramref name="name"/> (".png" added when missing) in
    /// <see cref="Folder"/>, the whole page by default, and returns the file's path.
    /// </summary>
    public static async Task<string> SaveAsync(IPage page, string name, bool fullPage = true)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (string.IsNullOrWhiteSpace(name) || Path.GetFileName(name) != name)
        {
            throw new ArgumentException($"a file name without folders, not \"{name}\"", nameof(name));
        }

        var path = Path.Combine(Folder, name.EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? name : name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage });
        return path;
    }

    /// <summary>As <see cref="SaveAsync"/>, for a failing test: a page that cannot be captured (closed, crashed) is no new failure.</summary>
    public static async Task<string?> TrySaveAsync(IPage page, string name)
    {
        try
        {
            return await SaveAsync(page, name);
        }
        catch (PlaywrightException)
        {
            return null;
        }
    }
}
