using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection;
using ValkeyDashboard.Authentication;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.BrowserTests.Infrastructure;

/// <summary>
/// The dashboard with sign-in on, as it runs by default, in the browser: an embedded cluster of three primaries without
/// replicas (the one extra cluster of the browser tests), a viewer and an operator API token, and a sign-in cookie whose
/// clock (<see cref="Clock"/>) the tests move, so the idle timeout passes without waiting. Only the cookie handler reads
/// that clock; the cluster and everything else keep real time.
/// </summary>
public sealed class SignInBrowserFixture : DashboardBrowserFixture
{
    public const string ViewerName = "dashboards-team";
    public const string ViewerToken = "viewer-token-for-the-browser-0123";
    public const string OperatorToken = "operator-token-for-the-browser-0123";

    /// <summary><c>Dashboard:Auth:SessionIdleTimeout</c> of this dashboard.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromHours(1);

    public SignInBrowserFixture()
        : this(new ManualClock(DateTimeOffset.UtcNow))
    {
    }

    private SignInBrowserFixture(ManualClock clock)
        : base(DashboardAppFactory.Embedded()
            .With("Valkey:Embedded:ReplicasPerPrimary", "0")
            .With("Dashboard:Auth:Mode", "BrowserToken")
            .With("Dashboard:Auth:SessionIdleTimeout", IdleTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture))
            // Every test signs in, all from 127.0.0.1; the limit itself is tested with a low one (SignInFloodTests).
            .With("Dashboard:RateLimit:SignInAttemptsPerMinute", "1000")
            .With("Dashboard:Auth:Tokens:0:Name", ViewerName)
            .With("Dashboard:Auth:Tokens:0:Token", ViewerToken)
            .With("Dashboard:Auth:Tokens:0:Role", DashboardRoles.Viewer)
            .With("Dashboard:Auth:Tokens:1:Name", "ci")
            .With("Dashboard:Auth:Tokens:1:Token", OperatorToken)
            .With("Dashboard:Auth:Tokens:1:Role", DashboardRoles.Operator)
            .WithServices(services => services.PostConfigure<CookieAuthenticationOptions>(
                CookieAuthenticationDefaults.AuthenticationScheme, options => options.TimeProvider = clock)))
    {
        Clock = clock;
    }

    /// <summary>The sign-in cookie's clock.</summary>
    public ManualClock Clock { get; }

    /// <summary>
    /// A new sign-in link as the dashboard prints it on its console (relative): a printed link works once, so each use
    /// asks for a new one, as an operator does with <c>kill -USR1</c>.
    /// </summary>
    public string ConsoleLink => $"/login?t={Uri.EscapeDataString(Services.GetRequiredService<BrowserSignIn>().Issue())}";

    /// <summary>The sign-in link with an API token in place of the printed one.</summary>
    public static string LinkWith(string apiToken) => $"/login?t={Uri.EscapeDataString(apiToken)}";
}

/// <summary>The browser tests of signing in: their own dashboard (sign-in on) and browser.</summary>
[CollectionDefinition(Name)]
public sealed class SignInBrowserCollection : ICollectionFixture<SignInBrowserFixture>
{
    public const string Name = "dashboard with sign-in in a browser";
}
