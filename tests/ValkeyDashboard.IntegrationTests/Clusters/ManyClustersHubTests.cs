using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using ValkeyDashboard.Api;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Hubs;
using ValkeyDashboard.IntegrationTests.Api;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Clusters;

/// <summary>
/// The hub with two real clusters: a connection watches one cluster or all (<c>?cluster=</c>, <c>Watch</c>), hears only
/// those, and every message names its cluster; a token limited to some clusters cannot watch the others.
/// </summary>
[Collection(OwnClustersCollection.Name)]
public class ManyClustersHubTests(TwoClustersFixture fixture) : IClassFixture<TwoClustersFixture>
{
    private const string SecondApi = $"/api/clusters/{TwoClustersFixture.Second}";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_migration_in_second_reaches_clients_watching_second_or_all_with_its_name_and_not_a_client_watching_main()
    {
        var primaries = await fixture.Client.PrimariesAsync(SecondApi);
        var start = MigrationsApiTests.LargestRangeStart(primaries[0].Slots);
        var slots = $"{start}-{start + 19}";
        await using var second = await ConnectAsync(TwoClustersFixture.OperatorToken, TwoClustersFixture.Second);
        await using var all = await ConnectAsync(TwoClustersFixture.OperatorToken, ClusterHub.AllClusters);
        await using var main = await ConnectAsync(TwoClustersFixture.OperatorToken, TwoClustersFixture.Main);
        // Each hears its clusters' topology on connecting: the connections are served before anything starts.
        await second.WaitForTopologyOfAsync(TwoClustersFixture.Second);
        await all.WaitForTopologyOfAsync(TwoClustersFixture.Main);
        await all.WaitForTopologyOfAsync(TwoClustersFixture.Second);
        await main.WaitForTopologyOfAsync(TwoClustersFixture.Main);

        await TestCleanup.RunAsync(
            async () =>
            {
                using var response = await fixture.Client.PostJsonAsync($"{SecondApi}/migrations", $$"""{"slots": "{{slots}}", "targetNodeId": "{{primaries[1].Id}}"}""");
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;

                foreach (var watcher in new[] { second, all })
                {
                    await watcher.WaitForMigrationAsync(m => m.Id == id && m.State == MigrationState.Succeeded);
                    var events = watcher.Migrations.Where(m => m.Id == id).ToList();
                    Assert.All(events, m => Assert.Equal(TwoClustersFixture.Second, m.ClusterName));
                }

                // The topology after the move reaches the second's watchers, named, and nobody else.
                await second.WaitForTopologyOfAsync(TwoClustersFixture.Second, t => t.Nodes.Single(n => n.Id == primaries[1].Id).Slots.Any(r => r[0] <= start && start <= r[1]));
                Assert.DoesNotContain(main.Migrations, m => m.Id == id);
                Assert.All(main.Migrations.Cast<ClusterMessage>().Concat(main.Topologies), m => Assert.Equal(TwoClustersFixture.Main, m.ClusterName));
                Assert.All(second.Topologies, t => Assert.Equal(TwoClustersFixture.Second, t.ClusterName));
            },
            async () => await fixture.Client.MoveSlotsAsync(slots, primaries[0].Id, Deadline, SecondApi));
    }

    [Fact]
    public async Task A_client_that_names_no_cluster_watches_the_default_one_and_can_switch_with_Watch()
    {
        await using var watcher = await ConnectAsync(TwoClustersFixture.OperatorToken, cluster: null);
        await watcher.WaitForTopologyOfAsync(TwoClustersFixture.Main);

        var watched = await watcher.Connection.InvokeAsync<IReadOnlyList<string>>(nameof(ClusterHub.Watch), TwoClustersFixture.Second);

        Assert.Equal([TwoClustersFixture.Second], watched);
        var topology = await watcher.WaitForTopologyOfAsync(TwoClustersFixture.Second);
        Assert.Equal(fixture.SecondCluster.Endpoints.Order(StringComparer.Ordinal), topology.Nodes.Select(n => n.Endpoint).Order(StringComparer.Ordinal));
        var everything = await watcher.Connection.InvokeAsync<IReadOnlyList<string>>(nameof(ClusterHub.Watch), ClusterHub.AllClusters);
        Assert.Equal([TwoClustersFixture.Main, TwoClustersFixture.Second, TwoClustersFixture.Gone], everything);
    }

    [Fact]
    public async Task A_token_limited_to_second_watches_second_and_is_refused_main_saying_why()
    {
        await using var watcher = await ConnectAsync(TwoClustersFixture.SecondOnlyToken, TwoClustersFixture.Second);
        await watcher.WaitForTopologyOfAsync(TwoClustersFixture.Second);

        var refused = await Assert.ThrowsAsync<HubException>(() => watcher.Connection.InvokeAsync<IReadOnlyList<string>>(nameof(ClusterHub.Watch), TwoClustersFixture.Main));
        Assert.Contains("token second-team may use clusters second; not main", refused.Message, StringComparison.Ordinal);
        var unknown = await Assert.ThrowsAsync<HubException>(() => watcher.Connection.InvokeAsync<IReadOnlyList<string>>(nameof(ClusterHub.Watch), "third"));
        Assert.Contains("there is no cluster \"third\"; the clusters are: second", unknown.Message, StringComparison.Ordinal);
        // "All" is all this token may use; the refused requests changed nothing.
        Assert.Equal([TwoClustersFixture.Second], await watcher.Connection.InvokeAsync<IReadOnlyList<string>>(nameof(ClusterHub.Watch), ClusterHub.AllClusters));
        Assert.DoesNotContain(watcher.Topologies, t => t.ClusterName != TwoClustersFixture.Second);

        // Connecting to watch main is refused before the hub (403), like the API.
        using var limited = fixture.ClientWith(TwoClustersFixture.SecondOnlyToken);
        using var negotiate = await limited.PostAsync(new Uri($"{ClusterHub.Path}/negotiate?negotiateVersion=1&cluster={TwoClustersFixture.Main}", UriKind.Relative), null);
        await MigrationsApiTests.AssertProblemAsync(negotiate, HttpStatusCode.Forbidden, "token second-team may use clusters second; not main");
    }

    private async Task<Watcher> ConnectAsync(string token, string? cluster)
    {
        var server = fixture.Factory.Server;
        var path = cluster is null ? "hubs/cluster" : $"hubs/cluster?cluster={Uri.EscapeDataString(cluster)}";
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, path), options =>
            {
                options.HttpMessageHandlerFactory = _ => server.CreateHandler();
                options.Transports = HttpTransportType.LongPolling;
                options.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)))
            .Build();
        var watcher = new Watcher(connection);
        await connection.StartAsync();
        return watcher;
    }

    /// <summary>Records the migrations and topologies a hub client hears, in order.</summary>
    private sealed class Watcher : IAsyncDisposable
    {
        public Watcher(HubConnection connection)
        {
            Connection = connection;
            connection.On<MigrationResponse>(nameof(IClusterClient.MigrationCreated), Migrations.Enqueue);
            connection.On<MigrationResponse>(nameof(IClusterClient.MigrationUpdated), Migrations.Enqueue);
            connection.On<ClusterResponse>(nameof(IClusterClient.TopologyChanged), Topologies.Enqueue);
        }

        public HubConnection Connection { get; }

        public ConcurrentQueue<MigrationResponse> Migrations { get; } = new();

        public ConcurrentQueue<ClusterResponse> Topologies { get; } = new();

        public async Task<ClusterResponse> WaitForTopologyOfAsync(string cluster, Func<ClusterResponse, bool>? predicate = null)
        {
            ClusterResponse? found = null;
            await Wait.UntilAsync(
                _ => Task.FromResult((found = Topologies.LastOrDefault(t => t.ClusterName == cluster && (predicate is null || predicate(t)))) is not null),
                Deadline, $"a topology of {cluster}", TimeSpan.FromMilliseconds(20));
            return found!;
        }

        public Task WaitForMigrationAsync(Func<MigrationResponse, bool> predicate) =>
            Wait.UntilAsync(_ => Task.FromResult(Migrations.Any(predicate)), Deadline, "a migration event", TimeSpan.FromMilliseconds(20));

        public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
    }
}
