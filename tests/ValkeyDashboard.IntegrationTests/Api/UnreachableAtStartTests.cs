using System.Net;
using System.Text.Json;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Api;

/// <summary>A dashboard started while its cluster is down comes up anyway, says so everywhere, and recovers by itself.</summary>
[Collection(OwnClustersCollection.Name)]
public class UnreachableAtStartTests(UnreachableAtStartTests.DownClusterFixture fixture) : IClassFixture<UnreachableAtStartTests.DownClusterFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task The_API_reports_the_cluster_unreachable_with_the_reason()
    {
        var down = await WaitForStateAsync(Client, "unreachable");

        Assert.Contains("no node of the cluster answered", down.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_answers_200_and_reports_the_dashboard_degraded()
    {
        await WaitForStateAsync(Client, "unreachable");

        using var response = await Client.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var degraded = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Degraded", degraded.GetProperty("status").GetString());
        Assert.Contains("cluster unreachable", degraded.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_page_says_no_node_answers()
    {
        await WaitForStateAsync(Client, "unreachable");

        var page = await Client.GetStringAsync(new Uri("/", UriKind.Relative));

        Assert.Contains("data-testid=\"cluster-unreachable\"", page, StringComparison.Ordinal);
        Assert.Contains("No node of the cluster answers", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_migration_is_refused_with_a_409_naming_the_cluster_state()
    {
        await WaitForStateAsync(Client, "unreachable");

        await MigrationsApiTests.AssertProblemAsync(
            await Client.PostJsonAsync("/api/migrations", $$"""{"slots": "0-9", "targetNodeId": "{{new string('a', 40)}}"}"""),
            HttpStatusCode.Conflict, "the cluster state is unreachable");
    }

    [Fact]
    public async Task When_the_nodes_return_the_dashboard_recovers_by_itself()
    {
        await WaitForStateAsync(Client, "unreachable");

        await TestCleanup.RunAsync(
            async () =>
            {
                await fixture.StartNodesAsync();

                var up = await WaitForStateAsync(Client, "ok");
                Assert.Equal(fixture.Cluster.Host.Nodes.Length, up.GetProperty("nodes").GetArrayLength());
                await Cluster.Concurrency.Wait.UntilAsync(async _ => (await Client.GetJsonAsync("/health")).GetProperty("status").GetString() == "Healthy",
                    Deadline, "/health to say Healthy", TimeSpan.FromMilliseconds(100));
                var page = await Client.GetStringAsync(new Uri("/", UriKind.Relative));
                Assert.DoesNotContain("data-testid=\"cluster-unreachable\"", page, StringComparison.Ordinal);
                Assert.Contains("data-testid=\"node-card-", page, StringComparison.Ordinal);
            },
            // Down again for the other tests of the class, whichever runs next.
            async () =>
            {
                await fixture.StopNodesAsync();
                await WaitForStateAsync(Client, "unreachable");
            });
    }

    private static async Task<JsonElement> WaitForStateAsync(HttpClient client, string state)
    {
        JsonElement last = default;
        await Cluster.Concurrency.Wait.UntilAsync(
            async _ => (last = await client.GetJsonAsync("/api/cluster")).GetProperty("state").GetString() == state,
            Deadline, $"GET /api/cluster to say {state}", TimeSpan.FromMilliseconds(100));
        return last;
    }

    /// <summary>A cluster whose every node is stopped, and a dashboard (External mode) started after that.</summary>
    public sealed class DownClusterFixture : IAsyncLifetime
    {
        public EmbeddedCluster Cluster { get; private set; } = null!;

        public DashboardAppFactory Factory { get; private set; } = null!;

        public HttpClient Client { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Cluster = await EmbeddedCluster.StartAsync(EmbeddedCluster.CreateOptions());
            await StopNodesAsync();
            Factory = DashboardAppFactory.External([Cluster.Host.Nodes[0].Endpoint, Cluster.Host.Nodes[1].Endpoint]);
            Client = Factory.CreateClient();
        }

        public async Task StopNodesAsync()
        {
            foreach (var node in Cluster.Host.Nodes)
            {
                await Cluster.Host.StopNodeAsync(node.Port);
            }
        }

        public async Task StartNodesAsync()
        {
            foreach (var node in Cluster.Host.Nodes)
            {
                await Cluster.Host.StartNodeAsync(node.Port);
            }
        }

        public async Task DisposeAsync()
        {
            Client?.Dispose();
            if (Factory is not null)
            {
                await Factory.DisposeAsync();
            }

            if (Cluster is not null)
            {
                await Cluster.DisposeAsync();
            }
        }
    }
}
