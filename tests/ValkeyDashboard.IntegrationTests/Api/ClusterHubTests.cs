using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using ValkeyDashboard.Api;
using ValkeyDashboard.Hubs;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Api;

/// <summary>SignalR clients of /hubs/cluster see migrations live.</summary>
[Collection(DashboardAppCollection.Name)]
public class ClusterHubTests(DashboardAppFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_client_sees_created_then_running_with_rising_progress_then_succeeded()
    {
        var client = fixture.Client;
        var primaries = await client.PrimariesAsync();
        var (source, target) = (primaries[0], primaries[1]);
        var start = MigrationsApiTests.LargestRangeStart(source.Slots);
        var slots = $"{start}-{start + 49}";
        await SeedAsync(slots, 3_000);

        await using var watcher = await ConnectAsync();
        await using var valkey = await fixture.Factory.ConnectToClusterAsync();
        string id;
        await using (await MigrationHold.OnAsync(valkey.GetServer(source.Endpoint)))
        {
            using var response = await client.PostJsonAsync("/api/migrations", $$"""{"slots": "{{slots}}", "targetNodeId": "{{target.Id}}"}""");
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
            await watcher.WaitForAsync(e => e.Migration.Id == id && e.Migration.Progress > 0, Deadline);

            // A client that connects mid-migration gets its current state first.
            await using var latecomer = await ConnectAsync();
            var first = await latecomer.WaitForAsync(e => e.Migration.Id == id, Deadline);
            Assert.Equal("MigrationUpdated", first.Kind);
            Assert.Equal(MigrationState.Running, first.Migration.State);
        }

        await watcher.WaitForAsync(e => e.Migration.Id == id && e.Migration.State == MigrationState.Succeeded, Deadline);
        var events = watcher.Events.Where(e => e.Migration.Id == id).ToList();
        Assert.Equal("MigrationCreated", events[0].Kind);
        var running = events.TakeWhile(e => e.Migration.State == MigrationState.Running).ToList();
        Assert.Contains(running, e => e.Migration.Progress > 0 && e.Migration.Progress <= 1);
        Assert.Equal(running.Select(e => e.Migration.Progress).Order(), running.Select(e => e.Migration.Progress));
        Assert.Equal(MigrationState.Succeeded, events[^1].Migration.State);
        Assert.Equal(1.0, events[^1].Migration.Progress);
        Assert.True(watcher.TopologyUpdates > 0);
    }

    [Fact]
    public async Task Slot_statistics_reach_only_clients_that_ask_for_them()
    {
        await using var quiet = await ConnectAsync();
        await using var watching = await ConnectAsync();

        var current = await watching.Connection.InvokeAsync<SlotsResponse>(nameof(ClusterHub.WatchSlotStatistics));

        Assert.Equal(Cluster.Model.SlotRange.SlotCount, current.Keys.Count);
        Assert.Equal(Cluster.Model.SlotRange.SlotCount, current.Owner.Length);
        Assert.DoesNotContain((short)-1, current.Owner);
        var later = await watching.WaitForSlotStatisticsAsync(s => s.Timestamp > current.Timestamp, Deadline);
        Assert.Equal(Cluster.Model.SlotRange.SlotCount, later.Keys.Count);
        Assert.Equal(0, quiet.SlotStatisticsUpdates);
    }

    private async Task SeedAsync(string slots, int count)
    {
        var set = Cluster.Model.SlotRangeSet.Parse(slots);
        await using var valkey = await fixture.Factory.ConnectToClusterAsync();
        var db = valkey.GetDatabase();
        var keys = Enumerable.Range(0, 2_000_000).Select(i => $"hub:{i}").Where(k => set.Contains(valkey.HashSlot(k))).Take(count);
        await Task.WhenAll(keys.Select(k => db.StringSetAsync(k, new string('x', 100))));
    }

    private async Task<HubWatcher> ConnectAsync()
    {
        var server = fixture.Factory.Server;
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "hubs/cluster"), options =>
            {
                options.HttpMessageHandlerFactory = _ => server.CreateHandler();
                options.Transports = HttpTransportType.LongPolling;
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)))
            .Build();
        var watcher = new HubWatcher(connection);
        await connection.StartAsync();
        return watcher;
    }

    private sealed record HubEvent(string Kind, MigrationResponse Migration);

    /// <summary>Records every migration event a hub client receives, in order.</summary>
    private sealed class HubWatcher : IAsyncDisposable
    {
        private readonly HubConnection _connection;
        private int _topologyUpdates;

        public HubWatcher(HubConnection connection)
        {
            _connection = connection;
            connection.On<MigrationResponse>(nameof(IClusterClient.MigrationCreated), m => Events.Enqueue(new HubEvent(nameof(IClusterClient.MigrationCreated), m)));
            connection.On<MigrationResponse>(nameof(IClusterClient.MigrationUpdated), m => Events.Enqueue(new HubEvent(nameof(IClusterClient.MigrationUpdated), m)));
            connection.On<ClusterResponse>(nameof(IClusterClient.TopologyChanged), _ => Interlocked.Increment(ref _topologyUpdates));
            connection.On<SlotsResponse>(nameof(IClusterClient.SlotStatisticsUpdated), s => SlotStatistics.Enqueue(s));
        }

        public HubConnection Connection => _connection;

        public ConcurrentQueue<SlotsResponse> SlotStatistics { get; } = new();

        public int SlotStatisticsUpdates => SlotStatistics.Count;

        public async Task<SlotsResponse> WaitForSlotStatisticsAsync(Func<SlotsResponse, bool> predicate, TimeSpan timeout)
        {
            SlotsResponse? found = null;
            await Cluster.Concurrency.Wait.UntilAsync(_ => Task.FromResult((found = SlotStatistics.FirstOrDefault(predicate)) is not null), timeout, "slot statistics", TimeSpan.FromMilliseconds(20));
            return found!;
        }

        public ConcurrentQueue<HubEvent> Events { get; } = new();

        public int TopologyUpdates => Volatile.Read(ref _topologyUpdates);

        public async Task<HubEvent> WaitForAsync(Func<HubEvent, bool> predicate, TimeSpan timeout)
        {
            HubEvent? found = null;
            await Cluster.Concurrency.Wait.UntilAsync(_ => Task.FromResult((found = Events.FirstOrDefault(predicate)) is not null), timeout, "a hub event", TimeSpan.FromMilliseconds(20));
            return found!;
        }

        public async ValueTask DisposeAsync() => await _connection.DisposeAsync();
    }
}
