using System.Text.Json;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Monitoring;

/// <summary>
/// A cluster of 60 real nodes (30 primaries × 1 replica) formed by valkey-cli, watched in External mode: every node is
/// in the API, polls fit the poll interval with the monitor's bounded concurrency, and when a node holds a poll up the
/// cadence stretches, the API says so, and it comes back once polls fit again. One cluster for the class (forming it
/// takes seconds on loopback), torn down after.
/// </summary>
[Collection(OwnClustersCollection.Name)]
public sealed class LargeClusterTests(LargeClusterTests.Fixture fixture) : IClassFixture<LargeClusterTests.Fixture>
{
    private const int Primaries = 30;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private CliCluster Cluster => fixture.Cluster;

    private DashboardAppFactory Dashboard => fixture.Dashboard;

    /// <summary>The 60-node cluster and a dashboard watching it (every 500 ms, at most 8 node requests at once), for the class.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public CliCluster Cluster { get; private set; } = null!;

        public DashboardAppFactory Dashboard { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Cluster = await CliCluster.StartAsync(primaries: Primaries, replicasPerPrimary: 1, spares: 0);
            Dashboard = DashboardAppFactory.External(Cluster.Endpoints)
                .With("Valkey:PollInterval", "00:00:00.500")
                .With("Valkey:Monitor:MaxConcurrentNodeRequests", "8");
        }

        public async Task DisposeAsync()
        {
            try
            {
                await Dashboard.DisposeAsync();
            }
            finally
            {
                await Cluster.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Every_node_of_a_60_node_cluster_is_in_the_api_online_with_its_primary_and_polls_fit_the_interval()
    {
        using var client = Dashboard.CreateClient();

        // Once the connections to all 60 nodes are open (the first polls open them), every poll fits 500 ms.
        var cluster = await WaitForClusterAsync(client, c =>
            c.GetProperty("nodes").GetArrayLength() == 2 * Primaries
            && c.GetProperty("nodes").EnumerateArray().All(n => n.GetProperty("health").GetString() == "online" && n.GetProperty("version").GetString() is not null)
            && !c.GetProperty("monitor").GetProperty("slow").GetBoolean());

        var nodes = cluster.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal("ok", cluster.GetProperty("state").GetString());
        Assert.Equal(16384, cluster.GetProperty("slotsAssigned").GetInt32());
        Assert.Equal(Cluster.Endpoints.Order(StringComparer.Ordinal), nodes.Select(n => n.GetProperty("endpoint").GetString()!).Order(StringComparer.Ordinal));
        var primaries = nodes.Where(n => n.GetProperty("role").GetString() == "primary").ToList();
        Assert.Equal(Primaries, primaries.Count);
        var primaryIds = primaries.Select(p => p.GetProperty("id").GetString()).ToHashSet();
        // Every primary has exactly one replica, and every replica names a primary of the cluster.
        Assert.All(primaries, p => Assert.Single(nodes, n => n.GetProperty("primaryId").GetString() == p.GetProperty("id").GetString()));
        Assert.All(nodes.Where(n => n.GetProperty("role").GetString() == "replica"), r => Assert.Contains(r.GetProperty("primaryId").GetString(), primaryIds));

        var monitor = cluster.GetProperty("monitor");
        Assert.Equal(500, monitor.GetProperty("configuredPollIntervalMs").GetInt64());
        Assert.Equal(500, monitor.GetProperty("pollIntervalMs").GetInt64());
        Assert.InRange(monitor.GetProperty("lastPollMs").GetInt64(), 0, 400);
    }

    [Fact]
    public async Task A_node_that_holds_a_poll_up_stretches_the_cadence_which_the_api_shows_and_it_comes_back_when_polls_fit_again()
    {
        using var client = Dashboard.CreateClient();
        await WaitForClusterAsync(client, c => c.GetProperty("nodes").GetArrayLength() == 2 * Primaries && !c.GetProperty("monitor").GetProperty("slow").GetBoolean());
        var replica = (await client.GetJsonAsync("/api/cluster")).GetProperty("nodes").EnumerateArray().First(n => n.GetProperty("role").GetString() == "replica");
        var port = replica.GetProperty("endpoint").GetString()!.Split(':')[1];

        // The replica answers nothing for 1.5 s (below the 2 s command timeout): the poll that meets it takes over a second.
        var sleeping = Cluster.CliAsync("-p", port, "DEBUG", "SLEEP", "1.5");
        var slow = await WaitForClusterAsync(client, c => c.GetProperty("monitor").GetProperty("slow").GetBoolean());
        await sleeping;

        var monitor = slow.GetProperty("monitor");
        Assert.True(monitor.GetProperty("lastPollMs").GetInt64() > 400, $"{monitor}");
        Assert.True(monitor.GetProperty("pollIntervalMs").GetInt64() >= 2 * monitor.GetProperty("lastPollMs").GetInt64(), $"{monitor}");
        var back = await WaitForClusterAsync(client, c => !c.GetProperty("monitor").GetProperty("slow").GetBoolean());
        Assert.Equal(500, back.GetProperty("monitor").GetProperty("pollIntervalMs").GetInt64());
    }

    private static async Task<JsonElement> WaitForClusterAsync(HttpClient client, Func<JsonElement, bool> predicate)
    {
        JsonElement last = default;
        await Wait.UntilAsync(
            async _ => predicate(last = await client.GetJsonAsync("/api/cluster")),
            Deadline, "/api/cluster to show the expected cluster", TimeSpan.FromMilliseconds(100));
        return last;
    }
}
