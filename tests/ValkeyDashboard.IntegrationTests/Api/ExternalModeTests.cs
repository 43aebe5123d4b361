using System.Net.Http.Json;
using System.Text.Json;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Api;

/// <summary>Pointed at an existing cluster, the dashboard shows it and starts no Valkey process.</summary>
[Collection(SharedClusterCollection.Name)]
public class ExternalModeTests(SharedClusterFixture fixture)
{
    [Fact]
    public async Task External_mode_shows_the_existing_cluster_and_starts_no_valkey_server()
    {
        var cluster = fixture.Cluster;
        var before = ValkeyProcesses.StartedByThisProcess().Order().ToList();
        Assert.Equal(cluster.Host.Nodes.Select(n => n.ProcessId!.Value).Order(), before);
        var expectedIds = (await cluster.Monitor.PollOnceAsync()).Nodes.Select(n => n.Id).Order().ToList();

        await using var factory = DashboardAppFactory.External([cluster.Host.Nodes[1].Endpoint]);
        using var client = factory.CreateClient();
        var response = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/cluster", UriKind.Relative));

        Assert.Equal("ok", response.GetProperty("state").GetString());
        var ids = response.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetString()!).Order().ToList();
        Assert.Equal(expectedIds, ids);
        Assert.Equal(before, ValkeyProcesses.StartedByThisProcess().Order().ToList());
        Assert.False(Directory.Exists(Path.Combine(factory.DataDirectory, "cluster")));
    }
}
