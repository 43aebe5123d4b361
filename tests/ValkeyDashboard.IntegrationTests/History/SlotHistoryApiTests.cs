using System.Net;
using System.Text.Json;
using StackExchange.Redis;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.IntegrationTests.Infrastructure;
using ValkeyDashboard.Model.HeatMap;

namespace ValkeyDashboard.IntegrationTests.History;

/// <summary>
/// The slot history and the hot slots against a real Valkey 9 cluster: keys written to known slots appear in the
/// history, a moment before a real migration still shows the old owner, the slots loaded with traffic top the hot list,
/// and bad queries are ProblemDetails.
/// </summary>
[Collection(OwnClustersCollection.Name)]
public sealed class SlotHistoryApiTests(SlotHistoryDashboardFixture fixture) : IClassFixture<SlotHistoryDashboardFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Keys_written_to_known_slots_appear_in_the_history_with_their_count()
    {
        var start = DateTimeOffset.UtcNow;
        await using var client = await fixture.Factory.ConnectToClusterAsync();
        var slots = SlotRangeSet.Parse("101,7001");
        await SlotKeys.FillAsync(client, slots, keysPerSlot: 40, prefix: "history-fill");

        var keys = await WaitForPointAsync(start, "keys", layer => Figure(layer, 101) > 0 && Figure(layer, 7001) > 0);

        // Quantised on a log scale of 255 steps: 40 reads back within a few per cent.
        Assert.InRange(Figure(keys, 101), 38, 42);
        Assert.InRange(Figure(keys, 7001), 38, 42);
        Assert.Equal(0, Figure(keys, 102));
    }

    [Fact]
    public async Task A_moment_before_a_migration_shows_the_old_owner_and_one_after_it_the_new()
    {
        var primaries = await Client.PrimariesAsync();
        var (source, target) = (primaries[0], primaries[1]);
        var slot = SlotRangeSet.Parse(source.Slots).First().Start;
        await WaitForPointAsync(DateTimeOffset.UtcNow, "owner", _ => true);
        var before = DateTimeOffset.UtcNow;

        await TestCleanup.RunAsync(
            async () =>
            {
                await Client.MoveSlotsAsync($"{slot}", target.Id, Deadline);
                var after = DateTimeOffset.UtcNow;
                await WaitForPointAsync(after, "owner", layer => OwnerOf(layer, slot) == target.Id);

                var then = await Client.GetJsonAsync($"/api/slots/history?at={Uri.EscapeDataString(before.ToString("O"))}");
                var now = await Client.GetJsonAsync($"/api/slots/history?at={Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"))}");

                Assert.True(then.GetProperty("at").GetDateTimeOffset() <= before);
                Assert.Equal(source.Id, OwnerAt(then, slot));
                Assert.Equal(target.Id, OwnerAt(now, slot));
                // A moment carries every layer, as a heat map frame does.
                Assert.Equal(16_384, Convert.FromBase64String(then.GetProperty("keys").GetProperty("values").GetString()!).Length);
                Assert.Equal(JsonValueKind.Object, then.GetProperty("cpu").ValueKind);
            },
            () => Client.MoveSlotsAsync($"{slot}", source.Id, Deadline));
    }

    [Fact]
    public async Task The_slots_loaded_with_traffic_top_the_hot_list()
    {
        await using var client = await fixture.Factory.ConnectToClusterAsync();
        var hot = new[] { 2001, 9002, 15003 };
        var keys = KeysIn(client, hot, perSlot: 5);
        using var load = new ClientLoad(client.GetDatabase(), keys, writers: 4);
        JsonElement list = default;
        await TestCleanup.RunAsync(
            async () =>
            {
                await load.WaitForOperationsAsync(2_000, Deadline);
                await Wait.UntilAsync(
                    async _ =>
                    {
                        list = await Client.GetJsonAsync("/api/slots/hot?metric=cpu&window=1m&limit=3");
                        return list.GetProperty("slots").EnumerateArray().Select(s => s.GetProperty("slot").GetInt32()).Order().SequenceEqual(hot);
                    },
                    Deadline, "the loaded slots to top the hot list", TimeSpan.FromMilliseconds(500));
                Assert.True(load.Failures.IsEmpty, string.Join("; ", load.Failures.Take(3)));

                var primaries = await Client.PrimariesAsync();
                foreach (var slot in list.GetProperty("slots").EnumerateArray())
                {
                    var number = slot.GetProperty("slot").GetInt32();
                    var owner = primaries.Single(p => SlotRangeSet.Parse(p.Slots).Contains(number));
                    Assert.Equal(owner.Id, slot.GetProperty("ownerId").GetString());
                    Assert.True(slot.GetProperty("value").GetDouble() > 0);
                    // Each loaded slot is the only busy slot of its primary (one per primary): nearly all of its load.
                    Assert.InRange(slot.GetProperty("share").GetDouble(), 0.5, 1.0);
                }

                var network = await Client.GetJsonAsync("/api/slots/hot?metric=network&window=latest&limit=3");
                Assert.Equal(hot, network.GetProperty("slots").EnumerateArray().Select(s => s.GetProperty("slot").GetInt32()).Order());
            },
            load.StopAsync);
    }

    [Theory]
    [InlineData("/api/slots/history", "give from")]
    [InlineData("/api/slots/history?from=2026-11-30T12:00:00Z&to=2026-11-30T11:00:00Z&metric=keys", "is after to")]
    [InlineData("/api/slots/history?from=2026-11-30T12:00:00Z&metric=memory", "metric must be one of")]
    [InlineData("/api/slots/history?from=yesterday&metric=keys", "from must be a time")]
    [InlineData("/api/slots/history?at=soon", "at must be a time")]
    [InlineData("/api/slots/history?at=2026-11-30T12:00:00Z&metric=keys", "either at")]
    [InlineData("/api/slots/hot?metric=memory", "metric must be one of")]
    [InlineData("/api/slots/hot?window=2d", "window must be")]
    [InlineData("/api/slots/hot?window=10x", "window must be")]
    [InlineData("/api/slots/hot?limit=0", "limit must be")]
    [InlineData("/api/slots/hot?limit=101", "limit must be")]
    public async Task A_bad_query_is_a_problem_that_says_what_is_wrong(string path, string says)
    {
        using var response = await Client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains(says, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_moment_before_any_history_is_not_found()
    {
        using var response = await Client.GetAsync(new Uri("/api/slots/history?at=2000-01-01T00:00:00Z", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_openapi_document_describes_both_operations_with_examples()
    {
        var paths = (await Client.GetJsonAsync("/openapi/v1.json")).GetProperty("paths");

        var history = paths.GetProperty("/api/slots/history").GetProperty("get");
        var hot = paths.GetProperty("/api/slots/hot").GetProperty("get");
        Assert.Contains("?at=", history.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal("cpu", Example(history, "200").GetProperty("metric").GetString());
        Assert.Equal(400, Example(history, "400").GetProperty("status").GetInt32());
        Assert.Equal(5474, Example(hot, "200").GetProperty("slots")[0].GetProperty("slot").GetInt32());
    }

    private static JsonElement Example(JsonElement operation, string status) =>
        operation.GetProperty("responses").GetProperty(status).GetProperty("content").EnumerateObject().First().Value.GetProperty("example");

    /// <summary>Waits for a history point after <paramref name="after"/> whose <paramref name="metric"/> layer satisfies <paramref name="accept"/>; returns that layer (with the point's owners).</summary>
    private async Task<JsonElement> WaitForPointAsync(DateTimeOffset after, string metric, Func<JsonElement, bool> accept)
    {
        JsonElement found = default;
        await Wait.UntilAsync(
            async _ =>
            {
                var range = await Client.GetJsonAsync($"/api/slots/history?from={Uri.EscapeDataString(after.ToString("O"))}&metric={metric}");
                var points = range.GetProperty("points").EnumerateArray().ToList();
                if (points.Count == 0 || !accept(points[^1]))
                {
                    return false;
                }

                found = points[^1];
                return true;
            },
            Deadline, $"a {metric} history point after {after:O}", TimeSpan.FromMilliseconds(250));
        return found;
    }

    private static double Figure(JsonElement point, int slot)
    {
        var layer = point.GetProperty("layer");
        return SlotHeatQuantizer.Dequantize(Convert.FromBase64String(layer.GetProperty("values").GetString()!)[slot], layer.GetProperty("scale").GetDouble());
    }

    private static string? OwnerOf(JsonElement point, int slot)
    {
        var index = Convert.FromBase64String(point.GetProperty("layer").GetProperty("values").GetString()!)[slot];
        return point.GetProperty("owners").EnumerateArray().FirstOrDefault(o => o.GetProperty("index").GetInt32() == index) is { ValueKind: JsonValueKind.Object } o
            ? o.GetProperty("id").GetString()
            : null;
    }

    private static string? OwnerAt(JsonElement moment, int slot)
    {
        var index = Convert.FromBase64String(moment.GetProperty("owner").GetProperty("values").GetString()!)[slot];
        return moment.GetProperty("owners").EnumerateArray().Single(o => o.GetProperty("index").GetInt32() == index).GetProperty("id").GetString();
    }

    private static string[] KeysIn(ConnectionMultiplexer client, int[] slots, int perSlot)
    {
        var keys = new List<string>();
        var found = new HashSet<int>();
        for (var i = 0; found.Count < slots.Length; i++)
        {
            var tag = $"hot-{i}";
            var slot = client.HashSlot($"{{{tag}}}");
            if (slots.Contains(slot) && found.Add(slot))
            {
                keys.AddRange(Enumerable.Range(0, perSlot).Select(n => $"{{{tag}}}:{n}"));
            }
        }

        return [.. keys];
    }
}
