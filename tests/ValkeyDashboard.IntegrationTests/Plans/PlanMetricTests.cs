using System.Net;
using System.Text.Json;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Plans;

/// <summary>The metrics Valkey does not hand over as they are — memory (sampled) and CPU (averaged) — measured on a real cluster.</summary>
[Collection(PlansCollection.Name)]
public class PlanMetricTests(PlansFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task A_memory_preview_samples_the_keys_and_says_the_figures_are_an_estimate()
    {
        var primary = (await Client.PrimariesAsync()).First(p => p.Slots.Length > 0);
        // Big values in five slots of that primary, a hundred keys each (hash tags): more keys than any other slot, so
        // they are among the first the estimator samples; their memory, not their key count, sets them apart.
        var owned = SlotRangeSet.Parse(primary.Slots);
        var tags = Enumerable.Range(0, 100_000).Select(i => $"{{mem{i}}}").Where(t => owned.Contains(fixture.Valkey.HashSlot(t))).Take(5).ToList();
        var keys = tags.SelectMany(t => Enumerable.Range(0, 100).Select(i => $"{t}:{i}")).ToList();
        var db = fixture.Valkey.GetDatabase();
        await Task.WhenAll(keys.Select(k => db.StringSetAsync(k, new string('m', 20_000))));

        using var response = await Client.PostJsonAsync("/api/plans/preview", """{"kind": "rebalance", "metric": "memory"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var preview = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var warning = Assert.Single(preview.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.StartsWith("memory per slot is an estimate", StringComparison.Ordinal));
        Assert.Contains("sampled with MEMORY USAGE", warning.GetString(), StringComparison.Ordinal);
        var node = preview.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("id").GetString() == primary.Id);
        // Every one of those values is 20 kB: at least that much measured on that primary.
        Assert.NotEmpty(keys);
        Assert.True(node.GetProperty("before").GetDouble() >= keys.Count * 20_000, $"{keys.Count} keys of 20 kB: {node.GetRawText()}");
        Assert.True(preview.GetProperty("imbalanceBefore").GetDouble() > 1.5, preview.GetRawText());
        Assert.All(preview.GetProperty("moves").EnumerateArray(), m => Assert.Equal(primary.Id, m.GetProperty("sourceNodeId").GetString()));
    }
}
