using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.BrowserTests.Infrastructure;

/// <summary>
/// The real dashboard on Kestrel at a loopback port Kestrel picks, running its own embedded cluster
/// (3 primaries × 1 replica) as <see cref="DashboardAppFactory.Embedded"/> starts it, and one headless Chromium
/// (the system's) shared by the tests of the collection. Tests open their own browser contexts: each is a fresh
/// profile with its own Blazor circuit. Disposing closes the browser, then stops the dashboard and every node.
/// </summary>
public class DashboardBrowserFixture : IAsyncLifetime
{
    /// <summary>The system's Chromium (Debian's package); Playwright's own browser downloads are never used.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>A common laptop screen, 1366×768: what the layout is checked against.</summary>
    public static ViewportSize Viewport => new() { Width = 1366, Height = 768 };

    private static readonly string[] ChromiumArgs =
    [
        // Chromium runs no sandbox as root (as in a container); the only pages it opens are the dashboard's.
        "--no-sandbox",
        "--disable-gpu",
        // Nothing but the dashboard on the network, and no start-up work the tests do not need.
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private bool _disposed;

    public DashboardBrowserFixture()
        : this(DashboardAppFactory.Embedded())
    {
    }

    /// <summary>The same around a dashboard set up otherwise (sign-in on, another cluster shape).</summary>
    protected DashboardBrowserFixture(DashboardAppFactory dashboard) => Dashboard = dashboard;

    /// <summary>The app under test: its <see cref="WebApplicationFactory{TEntryPoint}.Services"/>, cluster port and data folder.</summary>
    public DashboardAppFactory Dashboard { get; }

    /// <summary>Where the dashboard listens, e.g. <c>http://127.0.0.1:41234/</c> (a port Kestrel chose).</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The dashboard's services (<c>SlotMigrationService</c>, <c>ClusterMonitor</c>, <c>LocalClusterHost</c>, …).</summary>
    public IServiceProvider Services => Dashboard.Services;

    /// <summary>The port of the embedded cluster's first node; the six nodes listen on the ports from here on (for valkey-cli -p).</summary>
    public int ClusterBasePort => Dashboard.BasePort;

    /// <summary>The shared headless Chromium. Prefer <see cref="NewContextAsync"/>, which sets the base URL and viewport.</summary>
    public IBrowser Browser => _browser ?? throw new InvalidOperationException("the browser is not started");

    public async Task InitializeAsync()
    {
        try
        {
            // Checked first: no cluster is worth starting without it.
            if (!File.Exists(ChromiumPath))
            {
                throw new InvalidOperationException(
                    $"{ChromiumPath} not found: the browser tests drive the system's Chromium. Run eng/test.sh, which installs it, " +
                    "or install it yourself (Debian/Ubuntu: apt-get install chromium).");
            }

            // Port 0: Kestrel binds a free port itself (no gap between checking and binding), and says which.
            Dashboard.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
            // Hosted services start before Kestrel listens: the cluster is formed and monitored when this returns.
            Dashboard.StartServer();
            BaseUrl = new Uri(Dashboard.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single().TrimEnd('/') + "/");

            _playwright = await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                Args = ChromiumArgs,
            });
        }
        catch
        {
            // xunit reports the failure; nothing started so far may outlive it.
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A new browser context (a separate user: own cookies, own Blazor circuit) against the dashboard, with relative
    /// URLs resolved against <see cref="BaseUrl"/> and a 1366×768 viewport. The caller closes it.
    /// </summary>
    public Task<IBrowserContext> NewContextAsync() => Browser.NewContextAsync(new BrowserNewContextOptions
    {
        BaseURL = BaseUrl.ToString(),
        ViewportSize = Viewport,
    });

    public virtual async Task DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        // The browser first (its circuits keep the dashboard busy), then Playwright's driver, then the dashboard, which
        // stops its nodes as it shuts down; each step runs even when the one before it failed.
        try
        {
            if (_browser is not null)
            {
                await _browser.CloseAsync();
            }
        }
        finally
        {
            try
            {
                _playwright?.Dispose();
            }
            finally
            {
                await Dashboard.DisposeAsync();
            }
        }
    }
}

/// <summary>The browser tests: one dashboard and one browser for all of them, one test at a time.</summary>
[CollectionDefinition(Name)]
public sealed class DashboardBrowserCollection : ICollectionFixture<DashboardBrowserFixture>
{
    public const string Name = "dashboard in a browser";
}
