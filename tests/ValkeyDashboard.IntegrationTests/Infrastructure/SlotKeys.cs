using StackExchange.Redis;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>Test data placed in chosen slots.</summary>
internal static class SlotKeys
{
    /// <summary>
    /// Writes <paramref name="keysPerSlot"/> keys of 100 bytes into every slot of <paramref name="slots"/>, each slot's
    /// keys sharing one hash tag that starts with <paramref name="prefix"/> (so a slot moves them all at once).
    /// </summary>
    public static async Task FillAsync(ConnectionMultiplexer client, SlotRangeSet slots, int keysPerSlot, string prefix)
    {
        var tags = new Dictionary<int, string>();
        for (var i = 0; tags.Count < slots.SlotCount; i++)
        {
            var tag = $"{prefix}{i}";
            var slot = client.HashSlot($"{{{tag}}}");
            if (slots.Contains(slot))
            {
                tags.TryAdd(slot, tag);
            }
        }

        var db = client.GetDatabase();
        await Task.WhenAll(tags.Values.SelectMany(tag => Enumerable.Range(0, keysPerSlot).Select(n => db.StringSetAsync($"{{{tag}}}:{n}", new string('k', 100)))));
    }
}
