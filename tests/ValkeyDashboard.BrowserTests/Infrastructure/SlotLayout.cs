using System.Text.Json;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.BrowserTests.Infrastructure;

/// <summary>
/// Which primary owns which slots, read through the API, and put back exactly so: tests that move slots (plans, drains)
/// restore the layout they found, so the tests after them find the same slot ranges on the same primaries.
/// </summary>
public sealed class SlotLayout
{
    private static readonly TimeSpan MoveDeadline = TimeSpan.FromSeconds(90);

    private SlotLayout(IReadOnlyDictionary<string, SlotRangeSet> owners) => Owners = owners;

    /// <summary>Each primary's slots, by node id.</summary>
    public IReadOnlyDictionary<string, SlotRangeSet> Owners { get; }

    public static async Task<SlotLayout> ReadAsync(HttpClient api) =>
        new((await api.PrimariesAsync()).ToDictionary(p => p.Id, p => SlotRangeSet.Parse(p.Slots), StringComparer.Ordinal));

    /// <summary>True when the cluster has exactly this layout now.</summary>
    public async Task<bool> IsCurrentAsync(HttpClient api)
    {
        var now = await ReadAsync(api);
        return Owners.All(o => now.Owners.TryGetValue(o.Key, out var slots) && slots.Equals(o.Value)) &&
            now.Owners.Where(o => !Owners.ContainsKey(o.Key)).All(o => o.Value.IsEmpty);
    }

    /// <summary>
    /// Moves every slot that is not with the primary it was with back to it, one migration per primary (through the
    /// API, which splits it per source), and checks that the layout is this one again.
    /// </summary>
    public async Task RestoreAsync(HttpClient api)
    {
        foreach (var (ownerId, slots) in Owners)
        {
            var now = await ReadAsync(api);
            var missing = slots.Except(now.Owners.GetValueOrDefault(ownerId, SlotRangeSet.Empty));
            if (missing.IsEmpty)
            {
                continue;
            }

            using var response = await api.PostJsonAsync("/api/migrations", JsonSerializer.Serialize(new { slots = missing.ToString(), targetNodeId = ownerId }));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"moving {missing} back to {ownerId} answered {(int)response.StatusCode}: {body}");
            var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
            var final = await api.WaitForMigrationAsync(id, m => m.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled", MoveDeadline);
            Assert.Equal("succeeded", final.GetProperty("state").GetString());
        }

        Assert.True(await IsCurrentAsync(api), "the slot layout is back as it was");
    }
}
