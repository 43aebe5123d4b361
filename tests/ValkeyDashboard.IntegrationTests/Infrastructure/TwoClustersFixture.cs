using System.Net.Http.Headers;
using StackExchange.Redis;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>
/// One dashboard managing two clusters at once: <see cref="Main"/>, its embedded 3×1 cluster and the default (first)
/// entry of <c>Valkey:Clusters</c>, and <see cref="Second"/>, an External 3-primary cluster formed by valkey-cli
/// (<see cref="CliCluster"/>), and <see cref="Gone"/>, an External cluster nobody answers for (a port nothing listens on),
/// which must slow or fail neither of the others. Sign-in is on: <see cref="Client"/> carries an operator token that may use both,
/// <see cref="SecondOnlyToken"/> may use only the second. Tests put back the slots they move.
/// </summary>
public sealed class TwoClustersFixture : IAsyncLifetime
{
    public const string Main = "main";
    public const string Second = "second";
    public const string Gone = "gone";
    public const string OperatorToken = "fleet-operator-0123456789abcdef";
    public const string SecondOnlyToken = "second-only-viewer-0123456789abcdef";

    public CliCluster SecondCluster { get; private set; } = null!;

    public DashboardAppFactory Factory { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        SecondCluster = await CliCluster.StartAsync(primaries: 3, replicasPerPrimary: 0, spares: 0);
        Factory = Dashboard(SecondCluster);

        // Creating the client starts the host: the embedded cluster is formed and the second one's services started.
        Client = ClientWith(OperatorToken);
    }

    /// <summary>
    /// The dashboard of these clusters, not started: the embedded <see cref="Main"/>, <paramref name="second"/> as
    /// <see cref="Second"/>, the unreachable <see cref="Gone"/>, sign-in on with the two tokens (the browser tests use it too).
    /// </summary>
    public static DashboardAppFactory Dashboard(CliCluster second)
    {
        ArgumentNullException.ThrowIfNull(second);
        var factory = DashboardAppFactory.Embedded()
            .With("Valkey:Clusters:0:Name", Main)
            .With("Valkey:Clusters:1:Name", Second)
            .With("Valkey:Clusters:1:Mode", "External")
            .With("Valkey:Clusters:2:Name", Gone)
            .With("Valkey:Clusters:2:Mode", "External")
            .With("Valkey:Clusters:2:Endpoints:0", $"127.0.0.1:{TestPorts.AllocateBlock(1)}")
            .With("Dashboard:Auth:Mode", "BrowserToken")
            .With("Dashboard:Auth:Tokens:0:Name", "fleet")
            .With("Dashboard:Auth:Tokens:0:Token", OperatorToken)
            .With("Dashboard:Auth:Tokens:0:Role", "operator")
            .With("Dashboard:Auth:Tokens:1:Name", "second-team")
            .With("Dashboard:Auth:Tokens:1:Token", SecondOnlyToken)
            .With("Dashboard:Auth:Tokens:1:Role", "viewer")
            .With("Dashboard:Auth:Tokens:1:Clusters:0", Second);
        for (var i = 0; i < second.Endpoints.Count; i++)
        {
            factory.With($"Valkey:Clusters:1:Endpoints:{i}", second.Endpoints[i]);
        }

        return factory;
    }

    /// <summary>A client of the cluster <paramref name="second"/> (<see cref="Second"/>) itself, not through the dashboard.</summary>
    public static Task<ConnectionMultiplexer> ConnectAsync(CliCluster second)
    {
        ArgumentNullException.ThrowIfNull(second);
        return ConnectionMultiplexer.ConnectAsync(string.Join(',', second.Endpoints));
    }

    /// <summary>Keys on a cluster's primaries (DBSIZE of each).</summary>
    public static async Task<long> KeyCountAsync(ConnectionMultiplexer client)
    {
        ArgumentNullException.ThrowIfNull(client);
        long keys = 0;
        foreach (var server in client.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            keys += await server.DatabaseSizeAsync();
        }

        return keys;
    }

    /// <summary>A client of the dashboard that presents <paramref name="token"/>.</summary>
    public HttpClient ClientWith(string token)
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Factory is not null)
        {
            await Factory.DisposeAsync();
        }

        if (SecondCluster is not null)
        {
            await SecondCluster.DisposeAsync();
        }
    }
}
