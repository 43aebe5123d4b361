using System.Runtime.CompilerServices;
using Microsoft.Playwright;

namespace ValkeyDashboard.BrowserTests.Infrastructure;

/// <summary>
/// Base of a browser test class: every test gets its own browser context and page on the collection's dashboard
/// (xunit makes a new instance per test), closed when the test ends, whatever its outcome.
/// </summary>
public abstract class BrowserTest(DashboardBrowserFixture fixture) : IAsyncLifetime
{
    private readonly List<IBrowserContext> _contexts = [];

    protected DashboardBrowserFixture Fixture { get; } = fixture;

    /// <summary>The test's own browser context.</summary>
    protected IBrowserContext Context { get; private set; } = null!;

    /// <summary>A page in <see cref="Context"/>, not yet navigated; relative URLs go to the dashboard.</summary>
    protected IPage Page { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Context = await NewContextAsync();
        Page = await Context.NewPageAsync();
    }

    /// <summary>Another browser context, as a second user would have (own circuit); closed with the test.</summary>
    protected async Task<IBrowserContext> NewContextAsync()
    {
        var context = await Fixture.NewContextAsync();
        _contexts.Add(context);
        return context;
    }

    /// <summary>
    /// Runs the test's steps and, when they fail, saves what <see cref="Page"/> showed as
    /// <c>artifacts/screenshots/{TestClass}.{TestMethod}.failed.png</c> before the failure is reported.
    /// </summary>
    protected async Task ScreenshotOnFailureAsync(Func<Task> steps, [CallerMemberName] string testName = "")
    {
        ArgumentNullException.ThrowIfNull(steps);
        try
        {
            await steps();
        }
        catch
        {
            await Screenshots.TrySaveAsync(Page, $"{GetType().Name}.{testName}.failed.png");
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }
    }
}
