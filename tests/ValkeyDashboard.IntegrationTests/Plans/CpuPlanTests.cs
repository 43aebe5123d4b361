using System.Net;
using System.Text.Json;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.IntegrationTests.Hosting;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Plans;

/// <summary>CPU per slot, averaged over the load window (10 s here) of a dashboard of its own, drives a CPU plan.</summary>
[Collection(OwnClustersCollection.Name)]
public class CpuPlanTests
{
    [Fact]
    public async Task A_cpu_preview_finds_the_primary_whose_slots_took_the_traffic_and_moves_from_it()
    {
        await using var factory = DashboardAppFactory.Embedded().With("Valkey:Embedded:ReplicasPerPrimary", "0").With("Plans:LoadWindow", "00:00:10");
        using var client = factory.CreateClient();
        await using var valkey = await factory.ConnectToClusterAsync();
        var primary = (await client.PrimariesAsync())[0];
        var slots = SlotRangeSet.FromSlots(SlotRangeSet.Parse(primary.Slots).Slots().Take(50));
        var hot = Enumerable.Range(0, 100_000).Select(i => $"cpu:{i}").Where(k => slots.Contains(valkey.HashSlot(k))).Take(500).ToList();
        using var traffic = new ClientLoad(valkey.GetDatabase(), [.. hot], writers: 4);
        // Several monitor polls (every 250 ms here) of traffic on those slots only.
        await traffic.WaitForOperationsAsync(20_000, TimeSpan.FromSeconds(60));

        using var response = await client.PostJsonAsync("/api/plans/preview", """{"kind": "rebalance", "metric": "cpu"}""");
        await traffic.StopAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var preview = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var node = preview.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("id").GetString() == primary.Id);
        Assert.True(node.GetProperty("before").GetDouble() > node.GetProperty("target").GetDouble(), node.GetRawText());
        Assert.Contains(preview.GetProperty("moves").EnumerateArray(), m => m.GetProperty("sourceNodeId").GetString() == primary.Id);
        Assert.Empty(traffic.Failures);
    }
}
