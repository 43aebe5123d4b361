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
        var primaries = await fixture.Client.PrimariesAsync();
        var (source, target) = (primaries[0], primaries[1]);
        var start = MigrationsApiTests.LargestRangeStart(source.Slots);
        var slots = $"{start}-{start + 49}";
        var keys = await SeedAsync(slots, 3_000);
        await fixture.RestoringAsync(
            async () =>
            {
                await using var watcher = await ConnectAsync();
                string id;
                await using (await HoldAsync(source.Endpoint))
                {
                    id = await StartAsync(slots, target.Id);
                    await watcher.WaitForAsync(e => e.Migration.Id == id && e.Migration.Progress > 0, Deadline);
                }

                await watcher.WaitForAsync(e => e.Migration.Id == id && e.Migration.State == MigrationState.Succeeded, Deadline);
                var events = watcher.Events.Where(e => e.Migration.Id == id).ToList();
                Assert.Equal("MigrationCreated", events[0].Kind);
                var running = events.TakeWhile(e => e.Migration.State == MigrationState.Running).ToList();
                Assert.Contains(running, e => e.Migration.Progress > 0 && e.Migration.Progress <= 1);
                Assert.Equal(running.Select(e => e.Migration.Progress).Order(), running.Select(e => e.Migration.Progress));
                Assert.Equal(MigrationState.Succeeded, events[^1].Migration.State);
                Assert.Equal("atomic", events[^1].Migration.Engine);
                Assert.Equal(1.0, events[^1].Migration.Progress);
            },
            cleanup: () => DeleteAsync(keys));
    }

    [Fact]
    public async Task A_client_that_connects_mid_migration_first_gets_its_current_running_state()
    {
        var primaries = await fixture.Client.PrimariesAsync();
        var (source, target) = (primaries[0], primaries[1]);
        var start = MigrationsApiTests.LargestRangeStart(source.Slots);
        await fixture.RestoringAsync(async () =>
        {
            await using var hold = await HoldAsync(source.Endpoint);
            await using var early = await ConnectAsync();
            var id = await StartAsync($"{start}-{start + 9}", target.Id);
            await fixture.Client.WaitForMigrationAsync(id, m => m.GetProperty("jobs")[0].GetProperty("valkeyState").GetString() == "waiting-to-pause", Deadline);
            // The hub has announced the migration (MigrationCreated) before the latecomer connects, so what the
            // latecomer hears first can only be what a connection is given on connecting.
            await early.WaitForAsync(e => e.Migration.Id == id && e.Kind == "MigrationCreated", Deadline);

            await using var latecomer = await ConnectAsync();

            var first = await latecomer.WaitForAsync(e => e.Migration.Id == id, Deadline);
            Assert.Equal("MigrationUpdated", first.Kind);
            Assert.Equal(MigrationState.Running, first.Migration.State);
        });
    }

    [Fact]
    public async Task A_finished_migration_reaches_clients_as_a_topology_where_the_target_owns_the_slots()
    {
        var primaries = await fixture.Client.PrimariesAsync();
        var (source, target) = (primaries[0], primaries[1]);
        var start = MigrationsApiTests.LargestRangeStart(source.Slots);
        var moved = Cluster.Model.SlotRangeSet.Parse($"{start}-{start + 9}");
        await fixture.RestoringAsync(async () =>
        {
            await using var watcher = await ConnectAsync();
            // What a client hears on connecting: the topology before the move.
            await watcher.WaitForTopologyAsync(t => OwnerOf(t, target.Id).Intersect(moved).IsEmpty, Deadline);

            var id = await StartAsync(moved.ToString(), target.Id);
            await watcher.WaitForAsync(e => e.Migration.Id == id && e.Migration.State == MigrationState.Succeeded, Deadline);

            await watcher.WaitForTopologyAsync(t => moved.Except(OwnerOf(t, target.Id)).IsEmpty, Deadline);
        });
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

    /// <summary><paramref name="count"/> keys in <paramref name="slots"/>, for the test to delete again (<see cref="DeleteAsync"/>).</summary>
    private async Task<List<string>> SeedAsync(string slots, int count)
    {
        var set = Cluster.Model.SlotRangeSet.Parse(slots);
        await using var valkey = await fixture.Factory.ConnectToClusterAsync();
        var db = valkey.GetDatabase();
        var keys = Enumerable.Range(0, 2_000_000).Select(i => $"hub:{i}").Where(k => set.Contains(valkey.HashSlot(k))).Take(count).ToList();
        await Task.WhenAll(keys.Select(k => db.StringSetAsync(k, new string('x', 100))));
        return keys;
    }

    private async Task DeleteAsync(List<string> keys)
    {
        await using var valkey = await fixture.Factory.ConnectToClusterAsync();
        await Task.WhenAll(keys.Select(k => valkey.GetDatabase().KeyDeleteAsync(k)));
    }

    private async Task<IAsyncDisposable> HoldAsync(string sourceEndpoint)
    {
        var valkey = await fixture.Factory.ConnectToClusterAsync();
        var hold = await MigrationHold.OnAsync(valkey.GetServer(sourceEndpoint));
        return new Releasing(hold, valkey);
    }

    private async Task<string> StartAsync(string slots, string targetId)
    {
        using var response = await fixture.Client.PostJsonAsync("/api/migrations", $$"""{"slots": "{{slots}}", "targetNodeId": "{{targetId}}"}""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }

    private static Cluster.Model.SlotRangeSet OwnerOf(ClusterResponse topology, string nodeId) =>
        Cluster.Model.SlotRangeSet.From(topology.Nodes.Single(n => n.Id == nodeId).Slots.Select(r => new Cluster.Model.SlotRange(r[0], r[1])));

    /// <summary>Releases the hold, then closes the connection it was set through.</summary>
    private sealed class Releasing(MigrationHold hold, StackExchange.Redis.ConnectionMultiplexer valkey) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await hold.DisposeAsync();
            await valkey.DisposeAsync();
        }
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

        public HubWatcher(HubConnection connection)
        {
            _connection = connection;
            connection.On<MigrationResponse>(nameof(IClusterClient.MigrationCreated), m => Events.Enqueue(new HubEvent(nameof(IClusterClient.MigrationCreated), m)));
            connection.On<MigrationResponse>(nameof(IClusterClient.MigrationUpdated), m => Events.Enqueue(new HubEvent(nameof(IClusterClient.MigrationUpdated), m)));
            connection.On<ClusterResponse>(nameof(IClusterClient.TopologyChanged), t => Topologies.Enqueue(t));
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

        public ConcurrentQueue<ClusterResponse> Topologies { get; } = new();

        /// <summary>Waits for a TopologyChanged that satisfies <paramref name="predicate"/>.</summary>
        public Task WaitForTopologyAsync(Func<ClusterResponse, bool> predicate, TimeSpan timeout) =>
            Cluster.Concurrency.Wait.UntilAsync(_ => Task.FromResult(Topologies.Any(predicate)), timeout, "a topology update", TimeSpan.FromMilliseconds(20));

        public async Task<HubEvent> WaitForAsync(Func<HubEvent, bool> predicate, TimeSpan timeout)
        {
            HubEvent? found = null;
            await Cluster.Concurrency.Wait.UntilAsync(_ => Task.FromResult((found = Events.FirstOrDefault(predicate)) is not null), timeout, "a hub event", TimeSpan.FromMilliseconds(20));
            return found!;
        }

        public async ValueTask DisposeAsync() => await _connection.DisposeAsync();
    }
}
