using System.Net.Http.Headers;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.BrowserTests.Infrastructure;

/// <summary>
/// The dashboard of <see cref="TwoClustersFixture.Dashboard"/> in the browser: its embedded cluster <c>main</c>, an
/// External 3-primary cluster <c>second</c> formed by valkey-cli before the dashboard starts (and stopped after it), and
/// the unreachable <c>gone</c>; sign-in on. One per test class (<c>IClassFixture</c>), torn down after it.
/// </summary>
public sealed class TwoClustersBrowserFixture : DashboardBrowserFixture
{
    public TwoClustersBrowserFixture()
        : this(CliCluster.StartAsync(primaries: 3, replicasPerPrimary: 0, spares: 0).GetAwaiter().GetResult())
    {
    }

    // xunit builds fixtures through a constructor: the second cluster must exist before the dashboard pointed at it.
    private TwoClustersBrowserFixture(CliCluster second)
        : base(TwoClustersFixture.Dashboard(second)) => SecondCluster = second;

    /// <summary>The cluster named <c>second</c>.</summary>
    public CliCluster SecondCluster { get; }

    /// <summary>An API client presenting <paramref name="token"/> (the operator's by default). The caller disposes it.</summary>
    public HttpClient Api(string token = TwoClustersFixture.OperatorToken)
    {
        var client = Dashboard.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>The sign-in link with an API token.</summary>
    public static string LinkWith(string token) => $"/login?t={Uri.EscapeDataString(token)}";

    public override async Task DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        finally
        {
            await SecondCluster.DisposeAsync();
        }
    }
}
