using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Hosting;

/// <summary>
/// <c>POST /api/nodes/{id}/restart</c> on a real embedded cluster under a client load that reads back every write: a
/// replica restarts in place, a primary hands its shard to an in-sync replica first, and a restart that would leave
/// slots unserved or cut across a migration is refused, saying why. The tests share one dashboard; each leaves every
/// node running and the cluster ok.
/// </summary>
[Collection(OwnClustersCollection.Name)]
public sealed class NodeRestartTests(NodeRestartTests.Dashboard dashboard) : IClassFixture<NodeRestartTests.Dashboard>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly DashboardAppFactory _factory = dashboard.Factory;
    private readonly HttpClient _client = dashboard.Client;

    /// <summary>One dashboard with its 3×1 cluster for the class.</summary>
    public sealed class Dashboard() : EmbeddedDashboardFixture(DashboardAppFactory.Embedded().With("Valkey:Embedded:FailoverGracePeriod", "00:00:01"));

    [Fact]
    public async Task A_replica_restarts_in_place_as_a_new_process_and_is_in_sync_again()
    {
        var replica = (await NodesAsync()).First(n => n.GetProperty("role").GetString() == "replica");
        var id = replica.GetProperty("id").GetString()!;
        var pidBefore = replica.GetProperty("process").GetProperty("pid").GetInt32();

        var plan = await _client.GetJsonAsync($"/api/nodes/{id}/restart-plan");
        Assert.Equal("replica", plan.GetProperty("kind").GetString());

        using var response = await _client.PostAsync(new Uri($"/api/nodes/{id}/restart", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var after = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("replica", after.GetProperty("role").GetString());
        Assert.Equal("online", after.GetProperty("health").GetString());
        Assert.NotEqual(pidBefore, after.GetProperty("process").GetProperty("pid").GetInt32());
        Assert.False(ValkeyProcesses.IsRunning(pidBefore));
        await AssertAuditedAsync(id, "accepted");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_primary_fails_over_to_its_in_sync_replica_before_its_restart_and_no_client_command_fails_or_loses_a_write(bool failBack)
    {
        await using var valkey = await ApplicationClient.ConnectAsync(
            _factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Cluster.Configuration.ValkeyOptions>>().Value.Password,
            [.. _factory.Services.GetRequiredService<Cluster.Hosting.LocalClusterHost>().GetSeedEndpoints()]);
        var keys = Enumerable.Range(0, 3_000).Select(i => $"restart:{failBack}:{i}").ToArray();
        var db = valkey.GetDatabase();
        await Task.WhenAll(keys.Select(k => db.StringSetAsync(k, "0")));
        using var load = new ClientLoad(db, keys, writers: 3);
        await load.WaitForOperationsAsync(1_000, Deadline);

        var nodes = await NodesAsync();
        var primary = nodes.First(n => n.GetProperty("role").GetString() == "primary");
        var id = primary.GetProperty("id").GetString()!;
        var replicaId = nodes.Single(n => n.GetProperty("primaryId").GetString() == id).GetProperty("id").GetString()!;
        var slots = primary.GetProperty("slots").GetRawText();

        var plan = await _client.GetJsonAsync($"/api/nodes/{id}/restart-plan?failBack={failBack.ToString().ToLowerInvariant()}");
        Assert.Equal("failover", plan.GetProperty("kind").GetString());
        Assert.Equal(replicaId, plan.GetProperty("failoverToId").GetString());
        Assert.Contains(plan.GetProperty("failoverToEndpoint").GetString()!, plan.GetProperty("description").GetString(), StringComparison.Ordinal);

        using var response = await _client.PostAsync(new Uri($"/api/nodes/{id}/restart?failBack={failBack.ToString().ToLowerInvariant()}", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var after = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        var now = await NodesAsync();
        var (newPrimary, newReplica) = failBack ? (id, replicaId) : (replicaId, id);
        Assert.Equal(failBack ? "primary" : "replica", after.GetProperty("role").GetString());
        Assert.Equal("primary", now.Single(n => n.GetProperty("id").GetString() == newPrimary).GetProperty("role").GetString());
        Assert.Equal(newPrimary, now.Single(n => n.GetProperty("id").GetString() == newReplica).GetProperty("primaryId").GetString());
        Assert.Equal(slots, now.Single(n => n.GetProperty("id").GetString() == newPrimary).GetProperty("slots").GetRawText());

        await ClientLoadChecks.AssertNoCommandFailedAsync(load, Deadline);
        Assert.Equal(0, load.StaleReads);
        foreach (var (key, written) in load.LastWritten)
        {
            Assert.Equal(written, (long)await db.StringGetAsync(key));
        }

        await AssertAuditedAsync(id, "accepted");
    }

    [Fact]
    public async Task A_primary_without_an_in_sync_replica_is_refused_and_nothing_restarts()
    {
        var nodes = await NodesAsync();
        var primary = nodes.Last(n => n.GetProperty("role").GetString() == "primary");
        var id = primary.GetProperty("id").GetString()!;
        var pid = primary.GetProperty("process").GetProperty("pid").GetInt32();
        var replicaId = nodes.Single(n => n.GetProperty("primaryId").GetString() == id).GetProperty("id").GetString()!;

        using (var stop = await _client.PostAsync(new Uri($"/api/nodes/{replicaId}/stop", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.NoContent, stop.StatusCode);
        }

        try
        {
            await WaitForAsync(n => n.Any(x => x.GetProperty("id").GetString() == replicaId && x.GetProperty("health").GetString() == "failed"));
            using var response = await _client.PostAsync(new Uri($"/api/nodes/{id}/restart", UriKind.Relative), null);
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Contains("has no online replica", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal(pid, (await NodesAsync()).Single(n => n.GetProperty("id").GetString() == id).GetProperty("process").GetProperty("pid").GetInt32());
            await AssertAuditedAsync(id, "refused");
        }
        finally
        {
            using var start = await _client.PostAsync(new Uri($"/api/nodes/{replicaId}/start", UriKind.Relative), null);
            Assert.Equal(HttpStatusCode.NoContent, start.StatusCode);
            await WaitForAsync(n => n.All(x => x.GetProperty("health").GetString() == "online"));
        }
    }

    [Fact]
    public async Task A_node_whose_shard_a_migration_moves_is_refused_until_it_ends()
    {
        var primaries = await _client.PrimariesAsync();
        var start = Api.MigrationsApiTests.LargestRangeStart(primaries[0].Slots);
        await using var valkey = await _factory.ConnectToClusterAsync();
        await valkey.GetServer(primaries[0].Endpoint).ExecuteAsync("DEBUG", "SLOTMIGRATION", "PREVENT-PAUSE", 1);
        string migrationId;
        try
        {
            using var started = await _client.PostJsonAsync("/api/migrations", $$"""{"slots": "{{start}}-{{start + 9}}", "targetNodeId": "{{primaries[1].Id}}"}""");
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            migrationId = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
            var replica = (await NodesAsync()).Single(n => n.GetProperty("primaryId").GetString() == primaries[0].Id).GetProperty("id").GetString()!;

            using var response = await _client.PostAsync(new Uri($"/api/nodes/{replica}/restart", UriKind.Relative), null);
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString();
            Assert.Contains($"migration {migrationId}", detail, StringComparison.Ordinal);
        }
        finally
        {
            await valkey.GetServer(primaries[0].Endpoint).ExecuteAsync("DEBUG", "SLOTMIGRATION", "PREVENT-PAUSE", 0);
        }

        // Restore: the slots go back where they were.
        await _client.WaitForMigrationAsync(migrationId, m => m.GetProperty("state").GetString() == "succeeded", Deadline);
        using var back = await _client.PostJsonAsync("/api/migrations", $$"""{"slots": "{{start}}-{{start + 9}}", "targetNodeId": "{{primaries[0].Id}}"}""");
        var backId = JsonDocument.Parse(await back.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        await _client.WaitForMigrationAsync(backId, m => m.GetProperty("state").GetString() == "succeeded", Deadline);
    }

    [Fact]
    public async Task A_rolling_restart_pauses_resumes_and_cancels_between_nodes_and_every_change_reaches_hub_clients()
    {
        var server = _factory.Server;
        var events = new System.Collections.Concurrent.ConcurrentQueue<(string Kind, ValkeyDashboard.Api.RollingRestartResponse Rolling)>();
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "hubs/cluster"), options =>
            {
                options.HttpMessageHandlerFactory = _ => server.CreateHandler();
                options.Transports = HttpTransportType.LongPolling;
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)))
            .Build();
        hub.On<ValkeyDashboard.Api.RollingRestartResponse>(nameof(ValkeyDashboard.Hubs.IClusterClient.RollingRestartCreated), r => events.Enqueue(("created", r)));
        hub.On<ValkeyDashboard.Api.RollingRestartResponse>(nameof(ValkeyDashboard.Hubs.IClusterClient.RollingRestartUpdated), r => events.Enqueue(("updated", r)));
        await hub.StartAsync();

        var replicas = (await NodesAsync()).Where(n => n.GetProperty("role").GetString() == "replica").Select(n => n.GetProperty("id").GetString()!).ToList();
        using var started = await _client.PostJsonAsync("/api/nodes/restart", JsonSerializer.Serialize(new { nodeIds = replicas }));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var location = started.Headers.Location!.ToString();
        var id = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;

        using (var pause = await _client.PostAsync(new Uri($"{location}/pause", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.OK, pause.StatusCode);
        }

        // The node being restarted finishes; none after it starts.
        var paused = await WaitForRollingAsync(location, r => r.GetProperty("state").GetString() == "paused");
        var stepStates = paused.GetProperty("steps").EnumerateArray().Select(st => st.GetProperty("state").GetString()).ToList();
        Assert.DoesNotContain("running", stepStates);
        Assert.True(stepStates.Count(st => st == "succeeded") <= 1, string.Join(",", stepStates));
        Assert.Contains("pending", stepStates);

        using (var resume = await _client.PostAsync(new Uri($"{location}/resume", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        }

        await WaitForRollingAsync(location, r => r.GetProperty("steps").EnumerateArray().Any(st => st.GetProperty("state").GetString() == "running"));
        using (var cancel = await _client.PostAsync(new Uri($"{location}/cancel", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }

        var cancelled = await WaitForRollingAsync(location, r => r.GetProperty("state").GetString() == "cancelled");
        var finalStates = cancelled.GetProperty("steps").EnumerateArray().Select(st => st.GetProperty("state").GetString()).ToList();
        Assert.Contains("succeeded", finalStates);
        Assert.Contains("skipped", finalStates);
        Assert.DoesNotContain("running", finalStates);

        // Every change reached the hub client: the start, the pause, the end.
        await Cluster.Concurrency.Wait.UntilAsync(_ => Task.FromResult(events.Any(e => e.Rolling.Id == id && e.Rolling.State == Cluster.Restarts.RollingRestartState.Cancelled)),
            Deadline, "the hub to push the cancelled rolling restart", TimeSpan.FromMilliseconds(50));
        Assert.Equal("created", events.First(e => e.Rolling.Id == id).Kind);
        Assert.Contains(events, e => e.Rolling.Id == id && e.Rolling.State == Cluster.Restarts.RollingRestartState.Paused);
        Assert.Contains(events, e => e.Rolling.Id == id && e.Rolling.Steps.Any(st => st.Message?.StartsWith("restarting", StringComparison.Ordinal) == true));

        await WaitForAsync(n => n.All(x => x.GetProperty("health").GetString() == "online"));
        var audit = await _client.GetJsonAsync("/api/audit?pageSize=50");
        foreach (var action in new[] { "rolling-restart.start", "rolling-restart.pause", "rolling-restart.resume", "rolling-restart.cancel" })
        {
            Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == action);
        }
    }

    private async Task<JsonElement> WaitForRollingAsync(string location, Func<JsonElement, bool> predicate)
    {
        JsonElement last = default;
        await Cluster.Concurrency.Wait.UntilAsync(
            async _ =>
            {
                last = await _client.GetJsonAsync(location);
                return predicate(last);
            },
            Deadline, "the rolling restart to reach the expected state", TimeSpan.FromMilliseconds(50));
        return last;
    }

    private async Task<List<JsonElement>> NodesAsync() =>
        [.. (await _client.GetJsonAsync("/api/cluster")).GetProperty("nodes").EnumerateArray()];

    private async Task WaitForAsync(Func<List<JsonElement>, bool> predicate) =>
        await Cluster.Concurrency.Wait.UntilAsync(async _ => predicate(await NodesAsync()), Deadline, "the cluster to reach the expected state", TimeSpan.FromMilliseconds(100));

    private async Task AssertAuditedAsync(string nodeId, string outcome)
    {
        var audit = await _client.GetJsonAsync("/api/audit?pageSize=50");
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), e =>
            e.GetProperty("action").GetString() == "node.restart" && e.GetProperty("subject").GetString() == nodeId && e.GetProperty("outcome").GetString() == outcome);
    }
}
