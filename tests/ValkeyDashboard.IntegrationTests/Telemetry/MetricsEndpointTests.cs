using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Telemetry;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Telemetry;

/// <summary>
/// <c>/metrics</c> on a real cluster: the cluster, its nodes and the monitor as Prometheus series; a migration and a plan
/// in the counts, the duration histogram and the keys moved, and as spans (the jobs under their migration, the
/// migrations under their plan); per-slot series only for the top slots; no secret in the text.
/// </summary>
[Collection(DashboardAppCollection.Name)]
public sealed class MetricsEndpointTests(DashboardAppFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task The_cluster_its_nodes_and_the_monitors_polls_are_series_with_cluster_node_and_role_labels()
    {
        var cluster = await Client.GetJsonAsync("/api/cluster");
        var name = fixture.Factory.Services.GetRequiredService<IOptions<ValkeyOptions>>().Value.DisplayName;

        var samples = await ScrapeAsync();

        Assert.Equal(1, samples.Single("valkey_dashboard_cluster_state", ("state", "ok"), ("cluster", name)).Value);
        Assert.Equal(0, samples.Single("valkey_dashboard_cluster_state", ("state", "fail")).Value);
        Assert.Equal(Cluster.Model.SlotRange.SlotCount, samples.Single("valkey_dashboard_cluster_slots_assigned", ("cluster", name)).Value);
        Assert.Equal(Cluster.Model.SlotRange.SlotCount, samples.Single("valkey_dashboard_cluster_slots_ok").Value);
        Assert.Equal(0, samples.Single("valkey_dashboard_cluster_slots_failed").Value);
        var nodes = cluster.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(6, nodes.Count);
        foreach (var node in nodes)
        {
            var labels = new[] { ("node", node.GetProperty("endpoint").GetString()!), ("node_id", node.GetProperty("id").GetString()!), ("role", node.GetProperty("role").GetString()!) };
            Assert.Equal(1, samples.Single("valkey_dashboard_node_up", labels).Value);
            Assert.True(samples.Single("valkey_dashboard_node_memory_used_bytes", labels).Value > 0);
            Assert.True(samples.Single("valkey_dashboard_node_keys", labels).Value >= 0);
            Assert.True(samples.Single("valkey_dashboard_node_operations_per_second", labels).Value >= 0);
        }

        Assert.True(samples.Single("valkey_dashboard_monitor_poll_duration_seconds_count", ("cluster", name)).Value > 0);
        Assert.True(samples.Single("valkey_dashboard_monitor_poll_duration_seconds_sum", ("cluster", name)).Value > 0);
    }

    [Fact]
    public async Task A_migration_and_a_plan_show_in_the_counts_the_duration_and_the_keys_moved_and_as_spans_with_their_children()
    {
        using var spans = new SpanRecorder();
        var primaries = await Client.PrimariesAsync();
        var source = primaries.Single(p => SlotRangeSet.Parse(p.Slots).Contains(200));
        var target = primaries.First(p => p.Id != source.Id);
        var slots = SlotRangeSet.Parse("200-201");
        await using var valkey = await fixture.Factory.ConnectToClusterAsync();
        var before = await ScrapeAsync();

        await fixture.RestoringAsync(
            async () =>
            {
                await SlotKeys.FillAsync(valkey, slots, keysPerSlot: 50, prefix: "metrics-move");
                var migration = await StartAsync("/api/migrations", $$"""{"slots": "200-201", "targetNodeId": "{{target.Id}}"}""");
                var moved = await Client.WaitForMigrationAsync(migration, m => m.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled", Deadline);
                Assert.Equal("succeeded", moved.GetProperty("state").GetString());
                var plan = await StartAsync("/api/plans", $$$"""{"kind": "rebalance", "metric": "slots", "weights": {"{{{target.Id}}}": 2}}""");
                var ran = await WaitForPlanAsync(plan);
                Assert.Equal("succeeded", ran.GetProperty("state").GetString());
                var planMigrations = ran.GetProperty("moves").EnumerateArray().Select(m => m.GetProperty("migrationId").GetString()!).ToList();
                Assert.NotEmpty(planMigrations);

                var after = await ScrapeAsync();
                Assert.Equal(Count(before, "valkey_dashboard_migrations", ("state", "succeeded"), ("engine", "atomic")) + 1 + planMigrations.Count,
                    Count(after, "valkey_dashboard_migrations", ("state", "succeeded"), ("engine", "atomic")));
                Assert.Equal(Count(before, "valkey_dashboard_plans", ("state", "succeeded")) + 1, Count(after, "valkey_dashboard_plans", ("state", "succeeded")));
                Assert.Equal(Count(before, "valkey_dashboard_migration_duration_seconds_count", ("state", "succeeded"), ("engine", "atomic")) + 1 + planMigrations.Count,
                    Count(after, "valkey_dashboard_migration_duration_seconds_count", ("state", "succeeded"), ("engine", "atomic")));
                Assert.True(Count(after, "valkey_dashboard_migration_keys_moved_total", ("state", "succeeded")) - Count(before, "valkey_dashboard_migration_keys_moved_total", ("state", "succeeded")) >= 100);
                Assert.True(Count(after, "valkey_dashboard_migration_data_moved_bytes_total", ("state", "succeeded")) > Count(before, "valkey_dashboard_migration_data_moved_bytes_total", ("state", "succeeded")));

                var migrationSpan = spans.Single("migration", migration);
                var job = Assert.Single(spans.ChildrenOf(migrationSpan));
                Assert.Equal("migration.job", job.OperationName);
                Assert.Equal(source.Endpoint, job.GetTagItem("valkey_dashboard.job.source"));
                Assert.Equal("succeeded", migrationSpan.GetTagItem("valkey_dashboard.state"));
                Assert.Equal(fixture.Factory.Services.GetRequiredService<IOptions<ValkeyOptions>>().Value.DisplayName, migrationSpan.GetTagItem("valkey_dashboard.cluster"));
                var planSpan = spans.Single("plan", plan, "valkey_dashboard.plan.id");
                Assert.Equal(planMigrations.Order(), spans.ChildrenOf(planSpan).Select(m => (string)m.GetTagItem("valkey_dashboard.migration.id")!).Order());
                Assert.All(spans.ChildrenOf(planSpan), m => Assert.NotEmpty(spans.ChildrenOf(m)));
            },
            () => DeleteKeysAsync(valkey, "metrics-move"));
    }

    [Fact]
    public async Task Per_slot_series_cover_only_the_top_slots_and_name_their_owner()
    {
        var options = fixture.Factory.Services.GetRequiredService<IOptions<MetricsOptions>>().Value;
        Assert.Equal(20, options.TopSlots);
        await using var valkey = await fixture.Factory.ConnectToClusterAsync();
        var owner = (await Client.PrimariesAsync()).Single(p => SlotRangeSet.Parse(p.Slots).Contains(300));

        await fixture.RestoringAsync(
            async () =>
            {
                // 25 slots with 200 + i keys: the 20 with the most are 305-324.
                for (var i = 0; i < 25; i++)
                {
                    await SlotKeys.FillAsync(valkey, SlotRangeSet.Parse($"{300 + i}"), keysPerSlot: 200 + i, prefix: $"metrics-top{i}-");
                }

                IReadOnlyList<PrometheusSample> slotKeys = [];
                await Wait.UntilAsync(
                    async _ =>
                    {
                        slotKeys = [.. (await ScrapeAsync()).Named("valkey_dashboard_slot_keys")];
                        // The last slot filled: one poll reads all of them from their one primary.
                        return slotKeys.Any(s => s["slot"] == "324" && s.Value == 224);
                    },
                    Deadline, "slot 324's keys in /metrics", TimeSpan.FromMilliseconds(200));

                Assert.True(options.TopSlots == slotKeys.Count, string.Join(", ", slotKeys.Select(s => $"{s["slot"]}={s.Value}")));
                Assert.Equal(Enumerable.Range(305, 20).Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(), slotKeys.Select(s => s["slot"]).Order());
                Assert.All(slotKeys, s => Assert.Equal(200 + int.Parse(s["slot"], System.Globalization.CultureInfo.InvariantCulture) - 300, s.Value));
                Assert.All(slotKeys, s => Assert.Equal((owner.Id, owner.Endpoint), (s["node_id"], s["node"])));
            },
            () => DeleteKeysAsync(valkey, "metrics-top"));
    }

    [Fact]
    public async Task The_exposition_holds_no_password_of_the_cluster()
    {
        var password = fixture.Factory.Services.GetRequiredService<IOptions<ValkeyOptions>>().Value.Password;
        Assert.False(string.IsNullOrEmpty(password));

        var text = await Client.GetStringAsync(new Uri(TelemetryPath, UriKind.Relative));

        Assert.Contains("valkey_dashboard_node_up", text, StringComparison.Ordinal);
        Assert.DoesNotContain(password, text, StringComparison.Ordinal);
    }

    private const string TelemetryPath = "/metrics";

    private async Task<IReadOnlyList<PrometheusSample>> ScrapeAsync()
    {
        using var response = await Client.GetAsync(new Uri(TelemetryPath, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return PrometheusExposition.Parse(text);
    }

    private static double Count(IReadOnlyList<PrometheusSample> samples, string name, params (string Key, string Value)[] labels) =>
        samples.Named(name).Where(s => labels.All(l => s[l.Key] == l.Value)).Sum(s => s.Value);

    private async Task<string> StartAsync(string path, string body)
    {
        using var response = await Client.PostJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }

    private async Task<JsonElement> WaitForPlanAsync(string id)
    {
        JsonElement last = default;
        await Wait.UntilAsync(
            async _ =>
            {
                last = await Client.GetJsonAsync($"/api/plans/{id}");
                return last.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled";
            },
            Deadline, $"plan {id} to end", TimeSpan.FromMilliseconds(100));
        return last;
    }

    internal static async Task DeleteKeysAsync(ConnectionMultiplexer valkey, string prefix)
    {
        foreach (var server in valkey.GetServers().Where(s => !s.IsReplica))
        {
            var keys = server.Keys(pattern: $"{{{prefix}*").ToArray();
            foreach (var batch in keys.Chunk(500))
            {
                await Task.WhenAll(batch.Select(k => valkey.GetDatabase().KeyDeleteAsync(k)));
            }
        }
    }

    /// <summary>The dashboard's spans as they end (the app runs in this process).</summary>
    private sealed class SpanRecorder : IDisposable
    {
        private readonly ConcurrentQueue<Activity> _ended = new();
        private readonly ActivityListener _listener;

        public SpanRecorder()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == DashboardMetrics.ActivitySourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _ended.Enqueue,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public Activity Single(string name, string id, string idTag = "valkey_dashboard.migration.id") =>
            Assert.Single(_ended, a => a.OperationName == name && (string?)a.GetTagItem(idTag) == id);

        public IReadOnlyList<Activity> ChildrenOf(Activity parent) =>
            [.. _ended.Where(a => a.ParentSpanId == parent.SpanId && a.TraceId == parent.TraceId)];

        public void Dispose() => _listener.Dispose();
    }
}
