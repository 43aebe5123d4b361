using System.Net;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Api;

/// <summary>A dashboard started while its cluster is down comes up anyway, says so everywhere, and recovers by itself.</summary>
[Collection(OwnClustersCollection.Name)]
public class UnreachableAtStartTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task With_every_node_down_the_dashboard_starts_reports_unreachable_refuses_migrations_and_recovers_when_they_return()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(EmbeddedCluster.CreateOptions());
        var nodes = cluster.Host.Nodes.ToList();
        foreach (var node in nodes)
        {
            await cluster.Host.StopNodeAsync(node.Port);
        }

        await using var factory = DashboardAppFactory.External([nodes[0].Endpoint, nodes[1].Endpoint]);
        using var client = factory.CreateClient();

        var down = await WaitForStateAsync(client, "unreachable");
        Assert.Contains("no node of the cluster answered", down.GetProperty("error").GetString(), StringComparison.Ordinal);
        // The dashboard itself works (HTTP 200) and reports its cluster degraded.
        var degraded = await client.GetJsonAsync("/health");
        Assert.Equal("Degraded", degraded.GetProperty("status").GetString());
        Assert.Contains("cluster unreachable", degraded.GetProperty("description").GetString(), StringComparison.Ordinal);

        var page = await client.GetStringAsync(new Uri("/", UriKind.Relative));
        Assert.Contains("data-testid=\"cluster-unreachable\"", page, StringComparison.Ordinal);
        Assert.Contains("No node of the cluster answers", page, StringComparison.Ordinal);
        await MigrationsApiTests.AssertProblemAsync(
            await client.PostJsonAsync("/api/migrations", $$"""{"slots": "0-9", "targetNodeId": "{{new string('a', 40)}}"}"""),
            HttpStatusCode.Conflict, "the cluster state is unreachable");

        foreach (var node in nodes)
        {
            await cluster.Host.StartNodeAsync(node.Port);
        }

        var up = await WaitForStateAsync(client, "ok");
        Assert.Equal(nodes.Count, up.GetProperty("nodes").GetArrayLength());
        await Cluster.Utils.Wait.UntilAsync(async _ => (await client.GetJsonAsync("/health")).GetProperty("status").GetString() == "Healthy",
            Deadline, "/health to say Healthy", TimeSpan.FromMilliseconds(100));

        page = await client.GetStringAsync(new Uri("/", UriKind.Relative));
        Assert.DoesNotContain("data-testid=\"cluster-unreachable\"", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"node-card-", page, StringComparison.Ordinal);
    }

    private static async Task<System.Text.Json.JsonElement> WaitForStateAsync(HttpClient client, string state)
    {
        System.Text.Json.JsonElement last = default;
        await Cluster.Utils.Wait.UntilAsync(
            async _ => (last = await client.GetJsonAsync("/api/cluster")).GetProperty("state").GetString() == state,
            Deadline, $"GET /api/cluster to say {state}", TimeSpan.FromMilliseconds(100));
        return last;
    }
}
