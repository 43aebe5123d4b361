using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Servers;

/// <summary>
/// Valkey 8.0 (Debian 12 backports): CLUSTER SLOT-STATS with CPU and network per slot while
/// <c>cluster-slot-stats-enabled yes</c> (as the fixture starts it); no atomic slot migration.
/// </summary>
public sealed class Valkey8ServerTests(Valkey8ClusterFixture fixture) : ServerKindTests(fixture), IClassFixture<Valkey8ClusterFixture>
{
    protected override string Product => "valkey";

    protected override string[] Capabilities => ["cluster-shards", "slot-stats", "slot-stats-load", "key-migration"];

    protected override bool ReportsLoad => true;

    [Fact]
    public async Task With_slot_statistics_switched_off_the_nodes_lose_slot_stats_load_and_the_page_says_which_setting()
    {
        await using var factory = Dashboard();
        using var client = factory.CreateClient();

        await TestCleanup.RunAsync(
            async () =>
            {
                await SetSlotStatsAsync("no");

                await WaitForLoadAsync(client, reported: false);
                var slots = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/slots", UriKind.Relative));
                Assert.Equal(JsonValueKind.Null, slots.GetProperty("cpuUsec").ValueKind);
                Assert.Equal(JsonValueKind.Array, slots.GetProperty("keys").ValueKind);
                var page = WebUtility.HtmlDecode(await client.GetStringAsync(new Uri("/", UriKind.Relative)));
                Assert.Contains("CPU and network per slot are off on the primaries (cluster-slot-stats-enabled no).", page, StringComparison.Ordinal);
                Assert.DoesNotContain("data-testid=\"swept-key-counts\"", page, StringComparison.Ordinal);
            },
            async () =>
            {
                await SetSlotStatsAsync("yes");
                await WaitForLoadAsync(client, reported: true);
            });
    }

    private async Task SetSlotStatsAsync(string value)
    {
        foreach (var port in Cluster.MemberPorts)
        {
            await Cluster.CliAsync("-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "CONFIG", "SET", "cluster-slot-stats-enabled", value);
        }
    }

    private static Task WaitForLoadAsync(HttpClient client, bool reported) => Wait.UntilAsync(
        async cancellationToken =>
        {
            var cluster = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/cluster", UriKind.Relative), cancellationToken);
            return cluster.GetProperty("nodes").EnumerateArray().All(n =>
                n.GetProperty("capabilities").EnumerateArray().Any(c => c.GetString() == "slot-stats-load") == reported);
        },
        TimeSpan.FromSeconds(30), $"every node to {(reported ? "report" : "stop reporting")} slot-stats-load", TimeSpan.FromMilliseconds(200));
}
