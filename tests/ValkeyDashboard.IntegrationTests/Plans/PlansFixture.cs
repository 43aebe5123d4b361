using System.Text.Json;
using StackExchange.Redis;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Plans;

/// <summary>
/// One dashboard with its embedded cluster (3 primaries, 1 replica each) for the plan tests, which move slots: each
/// test makes the load it balances, waits for its plan to end, and leaves every key in place (plans never lose keys).
/// </summary>
public sealed class PlansFixture() : EmbeddedDashboardFixture(DashboardAppFactory.Embedded())
{
    public ConnectionMultiplexer Valkey { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Valkey = await Factory.ConnectToClusterAsync();
    }

    public override async Task DisposeAsync()
    {
        if (Valkey is not null)
        {
            await Valkey.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    /// <summary>Writes <paramref name="count"/> keys into slots <paramref name="slots"/> (spread over them) and returns their names.</summary>
    public async Task<IReadOnlyList<string>> WriteKeysAsync(string prefix, Cluster.Model.SlotRangeSet slots, int count)
    {
        var keys = new List<string>(count);
        for (var i = 0; keys.Count < count && i < count * 200; i++)
        {
            var key = $"{prefix}:{i}";
            if (slots.Contains(Valkey.HashSlot(key)))
            {
                keys.Add(key);
            }
        }

        var db = Valkey.GetDatabase();
        foreach (var batch in keys.Chunk(1_000))
        {
            await Task.WhenAll(batch.Select(k => db.StringSetAsync(k, "v")));
        }

        return keys;
    }

    /// <summary>Σ DBSIZE over the online primaries, read from the nodes themselves.</summary>
    public async Task<long> TotalKeysAsync()
    {
        long total = 0;
        var cluster = await Client.GetJsonAsync("/api/cluster");
        foreach (var node in cluster.GetProperty("nodes").EnumerateArray().Where(n => n.GetProperty("role").GetString() == "primary" && n.GetProperty("health").GetString() == "online"))
        {
            total += (long)await Valkey.GetServer(node.GetProperty("endpoint").GetString()!).ExecuteAsync("DBSIZE");
        }

        return total;
    }

    /// <summary>Waits until GET /api/plans/{id} satisfies the predicate.</summary>
    public async Task<JsonElement> WaitForPlanAsync(string id, Func<JsonElement, bool> predicate, TimeSpan timeout)
    {
        JsonElement last = default;
        await Cluster.Concurrency.Wait.UntilAsync(
            async _ =>
            {
                last = await Client.GetJsonAsync($"/api/plans/{id}");
                return predicate(last);
            },
            timeout, $"plan {id} to reach the expected state", TimeSpan.FromMilliseconds(100));
        return last;
    }
}

[CollectionDefinition(Name)]
public sealed class PlansCollection : ICollectionFixture<PlansFixture>
{
    public const string Name = "plans on an embedded cluster";
}
