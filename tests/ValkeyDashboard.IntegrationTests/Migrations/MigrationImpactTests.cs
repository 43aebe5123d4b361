using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Xunit.Abstractions;
using ValkeyDashboard.Cluster.Migrations.Impact;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.IntegrationTests.Api;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Migrations;

/// <summary>While a migration runs, the dashboard's probe measures what it costs clients; the figures land on the migration and in the metrics, and no probe key stays behind.</summary>
[Collection(DashboardAppCollection.Name)]
public class MigrationImpactTests(DashboardAppFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private HttpClient Client => fixture.Client;

    [Theory]
    [InlineData("atomic")]
    [InlineData("keys")]
    public Task A_migration_of_slots_with_keys_ends_with_an_impact_measured_by_probes_and_leaves_no_probe_key_nor_counts_one_as_moved(string engine) => fixture.RestoringAsync(async () =>
    {
        using var client = await fixture.Factory.ConnectToClusterAsync();
        var primaries = await Client.PrimariesAsync();
        var start = MigrationsApiTests.LargestRangeStart(primaries[0].Slots);
        var slots = SlotRangeSet.From([new Cluster.Model.SlotRange(start, start + 19)]);
        await SlotKeys.FillAsync(client, slots, 100, $"impact-{engine}-");
        var keysBefore = 0L;
        foreach (var slot in slots.Slots())
        {
            keysBefore += (long)await client.GetServer(primaries[0].Endpoint).ExecuteAsync("CLUSTER", "COUNTKEYSINSLOT", slot);
        }

        var latencies = new ConcurrentBag<(string Moving, double Seconds)>();
        using var listener = ListenToProbeLatency(latencies);

        using var response = await Client.PostJsonAsync("/api/migrations", $$"""{"slots": "{{slots}}", "targetNodeId": "{{primaries[1].Id}}", "engine": "{{engine}}"}""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        var done = await Client.WaitForMigrationAsync(id, m => m.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled", Deadline);

        Assert.Equal("succeeded", done.GetProperty("state").GetString());
        output.WriteLine(done.GetProperty("impact").GetRawText());
        var impact = done.GetProperty("impact");
        Assert.True(impact.GetProperty("probes").GetInt64() > 0, impact.GetRawText());
        var p50 = impact.GetProperty("p50Ms").GetDouble();
        var p99 = impact.GetProperty("p99Ms").GetDouble();
        var maxPause = impact.GetProperty("maxPauseMs").GetDouble();
        Assert.InRange(p50, 0.001, 1_000);
        Assert.InRange(p99, p50, 10_000);
        Assert.InRange(maxPause, 0.001, 10_000);
        var moving = impact.GetProperty("moving");
        Assert.True(moving.GetProperty("probes").GetInt64() >= 4, impact.GetRawText());
        Assert.Equal(impact.GetProperty("probes").GetInt64(), moving.GetProperty("probes").GetInt64() + impact.GetProperty("elsewhere").GetProperty("probes").GetInt64());
        Assert.Contains(latencies, l => l.Moving == "true" && l.Seconds > 0);

        Assert.Empty(await ProbeKeysAsync(client));
        // The probe's keys moved with their slots but are not counted as the user's keys moved.
        Assert.Equal(keysBefore, done.GetProperty("keysMoved").GetInt64());
        var tag = Enumerable.Range(0, 1_000_000).Select(i => $"impact-{engine}-{i}").First(t => slots.Contains(client.HashSlot($"{{{t}}}")));
        var moved = await client.GetDatabase().StringGetAsync($"{{{tag}}}:0");
        Assert.Equal(new string('k', 100), moved.ToString());
    }, cleanup: () => DeleteKeysAsync($"{{impact-{engine}-*"));

    [Fact]
    public async Task The_impact_is_kept_in_the_history_and_listed_with_the_migration()
    {
        string? id = null;
        await fixture.RestoringAsync(async () =>
        {
            var primaries = await Client.PrimariesAsync();
            var slot = MigrationsApiTests.FirstSlot(primaries[2].Slots);
            using var response = await Client.PostJsonAsync("/api/migrations", $$"""{"slots": "{{slot}}", "targetNodeId": "{{primaries[0].Id}}"}""");
            id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
            await Client.WaitForMigrationAsync(id, m => m.GetProperty("state").GetString() == "succeeded", Deadline);
        });

        var stored = (await fixture.Factory.Services.GetRequiredService<Cluster.Storage.MigrationStore>().LoadAllAsync()).Single(m => m.Id == id);
        Assert.NotNull(stored.Impact);
        Assert.True(stored.Impact.Probes > 0);
        var listed = (await Client.GetJsonAsync("/api/migrations?pageSize=200")).GetProperty("items").EnumerateArray().Single(m => m.GetProperty("id").GetString() == id);
        Assert.Equal(stored.Impact.Probes, listed.GetProperty("impact").GetProperty("probes").GetInt64());
    }

    /// <summary>Probe keys on every primary of the cluster.</summary>
    private static Task<List<string>> ProbeKeysAsync(ConnectionMultiplexer client) => KeysAsync(client, MigrationImpactProbe.KeyPrefix + "*");

    private static async Task<List<string>> KeysAsync(ConnectionMultiplexer client, string pattern)
    {
        var keys = new List<string>();
        foreach (var server in client.GetServers().Where(s => !s.IsReplica))
        {
            await foreach (var key in server.KeysAsync(pattern: pattern))
            {
                keys.Add(key.ToString());
            }
        }

        return keys;
    }

    private async Task DeleteKeysAsync(string pattern)
    {
        using var client = await fixture.Factory.ConnectToClusterAsync();
        foreach (var key in await KeysAsync(client, pattern))
        {
            await client.GetDatabase().KeyDeleteAsync(key);
        }
    }

    /// <summary>Every latency the app's probe records on its meter (only this app's: the meter's scope is its factory).</summary>
    private MeterListener ListenToProbeLatency(ConcurrentBag<(string Moving, double Seconds)> latencies)
    {
        var meters = fixture.Factory.Services.GetRequiredService<IMeterFactory>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ImpactProbeMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, meters) &&
                    instrument.Name == "valkey_dashboard.migration.impact.latency")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "moving")
                {
                    latencies.Add(((string)tag.Value!, value));
                }
            }
        });
        listener.Start();
        return listener;
    }
}
