using System.Net.Http.Headers;
using StackExchange.Redis;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>
/// One dashboard with its embedded 3×1 cluster and sign-in by token (an operator <c>ci</c>, a viewer
/// <c>dashboards-team</c>), for the demo-load tests of one class: each test stops the load it started and deletes the
/// <c>demo:</c> keys in <see cref="RunAsync"/>.
/// </summary>
public sealed class DemoLoadDashboardFixture : IAsyncLifetime
{
    public const string OperatorName = "ci";
    public const string ViewerToken = "viewer-token-0123456789abcdef";
    private const string OperatorToken = "operator-token-0123456789abcdef";

    public DashboardAppFactory Factory { get; } = DashboardAppFactory.Embedded()
        .With("Dashboard:Auth:Mode", "BrowserToken")
        .With("Dashboard:Auth:Tokens:0:Name", "dashboards-team")
        .With("Dashboard:Auth:Tokens:0:Token", ViewerToken)
        .With("Dashboard:Auth:Tokens:0:Role", "viewer")
        .With("Dashboard:Auth:Tokens:1:Name", OperatorName)
        .With("Dashboard:Auth:Tokens:1:Token", OperatorToken)
        .With("Dashboard:Auth:Tokens:1:Role", "operator");

    public HttpClient Operator { get; private set; } = null!;

    public HttpClient Viewer { get; private set; } = null!;

    public ConnectionMultiplexer Valkey { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Operator = WithToken(Factory.CreateClient(), OperatorToken);
        Viewer = WithToken(Factory.CreateClient(), ViewerToken);
        Valkey = await Factory.ConnectToClusterAsync();
    }

    /// <summary>Runs a test, then stops a load still running and deletes every <c>demo:</c> key, whatever the test did.</summary>
    public Task RunAsync(Func<Task> steps) => TestCleanup.RunAsync(steps, async () =>
    {
        using (await Operator.DeleteAsync(new Uri("/api/load", UriKind.Relative)))
        {
        }

        foreach (var server in Valkey.GetServers().Where(s => !s.IsReplica))
        {
            await server.FlushAllDatabasesAsync();
        }
    });

    /// <summary>Keys of the demo load on the cluster's primaries now.</summary>
    public async Task<long> DemoKeysAsync()
    {
        long count = 0;
        foreach (var server in Valkey.GetServers().Where(s => !s.IsReplica))
        {
            count += await server.DatabaseSizeAsync();
        }

        return count;
    }

    public async Task DisposeAsync()
    {
        Operator?.Dispose();
        Viewer?.Dispose();
        if (Valkey is not null)
        {
            await Valkey.DisposeAsync();
        }

        await Factory.DisposeAsync();
    }

    private static HttpClient WithToken(HttpClient client, string token)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
