using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using ValkeyDashboard.Api;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Plans;
using ValkeyDashboard.Hubs;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Plans;

/// <summary>A running plan is seen live on the hub, blocks a second plan with a 409 that names it, and is in the OpenAPI document.</summary>
[Collection(PlansCollection.Name)]
public class PlanLiveTests(PlansFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Hub_clients_see_a_plan_created_updated_at_least_twice_a_second_while_it_runs_and_finished_and_a_second_plan_is_refused()
    {
        var primaries = await Client.PrimariesAsync();
        var drained = primaries.OrderByDescending(p => SlotRangeSet.Parse(p.Slots).SlotCount).First();
        await fixture.WriteKeysAsync("live", SlotRangeSet.Parse(drained.Slots), 1_000);
        await using var hub = await ConnectAsync();
        string id;
        await using (var hold = await MigrationHold.OnAsync(fixture.Valkey.GetServer(drained.Endpoint)))
        {
            using var started = await Client.PostJsonAsync("/api/plans", $$"""{"kind": "drain", "metric": "keys", "nodeIds": ["{{drained.Id}}"]}""");
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

            await Cluster.Concurrency.Wait.UntilAsync(_ => Task.FromResult(hub.Created.Any(p => p.Id == id)), Deadline, "PlanCreated", TimeSpan.FromMilliseconds(20));
            await Cluster.Concurrency.Wait.UntilAsync(_ => Task.FromResult(hub.Updates(id).Count(u => u.Plan.State == PlanState.Running) >= 6), Deadline, "six PlanUpdated while it runs", TimeSpan.FromMilliseconds(20));
            var running = hub.Updates(id).Where(u => u.Plan.State == PlanState.Running).Take(6).ToList();
            Assert.True(running[^1].At - running[0].At <= TimeSpan.FromSeconds(2.5), $"5 intervals took {(running[^1].At - running[0].At).TotalSeconds:0.00} s");

            using var second = await Client.PostJsonAsync("/api/plans", """{"kind": "rebalance", "metric": "slots"}""");
            await Api.MigrationsApiTests.AssertProblemAsync(second, HttpStatusCode.Conflict, $"plan {id} (drain by keys) is running; one plan runs at a time");
            await hold.ReleaseAsync();
        }

        await Cluster.Concurrency.Wait.UntilAsync(_ => Task.FromResult(hub.Updates(id).Any(u => u.Plan.State == PlanState.Succeeded)), Deadline, "PlanUpdated succeeded", TimeSpan.FromMilliseconds(20));
        var done = hub.Updates(id).First(u => u.Plan.State == PlanState.Succeeded).Plan;
        Assert.Equal(1.0, done.Progress);
        Assert.All(done.Moves, m => Assert.NotNull(m.MigrationId));
    }

    [Fact]
    public async Task The_openapi_document_describes_every_plan_and_node_operation()
    {
        var document = await Client.GetFromJsonAsync<JsonElement>(new Uri("/openapi/v1.json", UriKind.Relative));
        var paths = document.GetProperty("paths");

        foreach (var (path, method, operation) in new[]
        {
            ("/api/plans/preview", "post", "PreviewPlan"), ("/api/plans", "post", "StartPlan"), ("/api/plans", "get", "ListPlans"),
            ("/api/plans/{id}", "get", "GetPlan"), ("/api/plans/{id}/pause", "post", "PausePlan"), ("/api/plans/{id}/resume", "post", "ResumePlan"),
            ("/api/plans/{id}/cancel", "post", "CancelPlan"), ("/api/nodes/{id}", "delete", "RemoveNode"), ("/api/nodes", "post", "AddNode"),
        })
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is not in the OpenAPI document");
            Assert.True(item.TryGetProperty(method, out var described), $"{method.ToUpperInvariant()} {path} is not in the OpenAPI document");
            Assert.Equal(operation, described.GetProperty("operationId").GetString());
        }
    }

    private async Task<PlanWatcher> ConnectAsync()
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
        var watcher = new PlanWatcher(connection);
        await connection.StartAsync();
        return watcher;
    }

    /// <summary>Every plan message a hub client receives, with when it arrived.</summary>
    private sealed class PlanWatcher : IAsyncDisposable
    {
        private readonly HubConnection _connection;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly ConcurrentQueue<(TimeSpan At, PlanResponse Plan)> _updates = new();

        public PlanWatcher(HubConnection connection)
        {
            _connection = connection;
            connection.On<PlanResponse>(nameof(IClusterClient.PlanCreated), p => Created.Enqueue(p));
            connection.On<PlanResponse>(nameof(IClusterClient.PlanUpdated), p => _updates.Enqueue((_clock.Elapsed, p)));
        }

        public ConcurrentQueue<PlanResponse> Created { get; } = new();

        public List<(TimeSpan At, PlanResponse Plan)> Updates(string id) => [.. _updates.Where(u => u.Plan.Id == id)];

        public async ValueTask DisposeAsync() => await _connection.DisposeAsync();
    }
}
