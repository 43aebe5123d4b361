using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using ValkeyDashboard.Api;
using ValkeyDashboard.Hubs;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.IntegrationTests.Api;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Load;

/// <summary>The demo load through the API: started by an operator, it writes demo: keys at its rate, shows its state, stops when asked or when its time is up; refusals change nothing.</summary>
public class DemoLoadApiTests(DemoLoadDashboardFixture fixture) : IClassFixture<DemoLoadDashboardFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private HttpClient Operator => fixture.Operator;

    [Fact]
    public Task A_load_started_by_an_operator_writes_keys_shows_its_state_and_stops_on_delete_audited() => fixture.RunAsync(async () =>
    {
        using var start = await Operator.PostJsonAsync("/api/load", """{"keys": 2000, "valueBytes": 50, "opsPerSecond": 1000, "skew": "hash-tags", "durationSeconds": 120}""");

        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        Assert.Equal("/api/load", start.Headers.Location?.OriginalString);
        var started = JsonDocument.Parse(await start.Content.ReadAsStringAsync()).RootElement;
        Assert.True(started.GetProperty("running").GetBoolean());
        Assert.Equal(DemoLoadDashboardFixture.OperatorName, started.GetProperty("startedBy").GetString());
        Assert.Equal("hash-tags", started.GetProperty("parameters").GetProperty("skew").GetString());
        await Wait.UntilAsync(async _ => await fixture.DemoKeysAsync() >= 100, Deadline, "the load to write 100 keys", TimeSpan.FromMilliseconds(50));
        var keys = fixture.Valkey.GetServers().Where(s => !s.IsReplica).SelectMany(s => s.Keys(pageSize: 1000)).Select(k => k.ToString()).ToList();
        Assert.All(keys, k => Assert.StartsWith("demo:{t", k, StringComparison.Ordinal));
        Assert.InRange(keys.Select(k => fixture.Valkey.HashSlot(k)).Distinct().Count(), 1, 16);
        var running = await Operator.GetJsonAsync("/api/load");
        Assert.True(running.GetProperty("running").GetBoolean());
        Assert.True(running.GetProperty("opsDone").GetInt64() > 0);
        Assert.True(running.GetProperty("rateAchieved").GetDouble() > 0);

        using var stop = await Operator.DeleteAsync(new Uri("/api/load", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        var stopped = JsonDocument.Parse(await stop.Content.ReadAsStringAsync()).RootElement;
        Assert.False(stopped.GetProperty("running").GetBoolean());
        Assert.Equal($"stopped by {DemoLoadDashboardFixture.OperatorName}", stopped.GetProperty("stopReason").GetString());
        Assert.StartsWith("stopped the demo load started by ci", stopped.GetProperty("message").GetString(), StringComparison.Ordinal);
        var ops = stopped.GetProperty("opsDone").GetInt64();
        var after = await fixture.DemoKeysAsync();
        await Task.Delay(300);
        Assert.Equal(ops, (await Operator.GetJsonAsync("/api/load")).GetProperty("opsDone").GetInt64());
        Assert.Equal(after, await fixture.DemoKeysAsync());
        var audit = (await Operator.GetJsonAsync("/api/audit?pageSize=50")).GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(audit, e => e.GetProperty("action").GetString() == "load.start" && e.GetProperty("outcome").GetString() == "accepted" && e.GetProperty("actor").GetString() == "ci");
        Assert.Contains(audit, e => e.GetProperty("action").GetString() == "load.stop" && e.GetProperty("outcome").GetString() == "accepted" && e.GetProperty("actor").GetString() == "ci");
    });

    [Fact]
    public Task A_load_stops_by_itself_after_its_duration() => fixture.RunAsync(async () =>
    {
        using var start = await Operator.PostJsonAsync("/api/load", """{"keys": 100, "opsPerSecond": 200, "durationSeconds": 1}""");
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);

        JsonElement state = default;
        await Wait.UntilAsync(async _ => !(state = await Operator.GetJsonAsync("/api/load")).GetProperty("running").GetBoolean(), Deadline, "the load to stop", TimeSpan.FromMilliseconds(50));

        Assert.Equal("ran for its 1 s", state.GetProperty("stopReason").GetString());
        Assert.InRange(state.GetProperty("opsDone").GetInt64(), 100, 260);
        Assert.Equal("uniform", state.GetProperty("parameters").GetProperty("skew").GetString());
        Assert.True(await fixture.DemoKeysAsync() > 0);
    });

    [Fact]
    public Task A_second_start_while_one_runs_is_a_409_problem_and_changes_nothing() => fixture.RunAsync(async () =>
    {
        using var first = await Operator.PostJsonAsync("/api/load", """{"keys": 100, "opsPerSecond": 100, "durationSeconds": 60}""");
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);

        await MigrationsApiTests.AssertProblemAsync(
            await Operator.PostJsonAsync("/api/load", """{"keys": 5000, "opsPerSecond": 100}"""), HttpStatusCode.Conflict, "a demo load started by ci");

        Assert.Equal(100, (await Operator.GetJsonAsync("/api/load")).GetProperty("parameters").GetProperty("keys").GetInt32());
    });

    [Theory]
    [InlineData("""{"keys": 0}""", "keys must be between 1 and 1000000, got 0")]
    [InlineData("""{"keys": 2000000, "valueBytes": 100000}""", "keys must be between 1 and 1000000, got 2000000; valueBytes must be between 1 and 16384, got 100000")]
    [InlineData("""{"opsPerSecond": 50000}""", "opsPerSecond must be between 1 and 20000, got 50000")]
    [InlineData("""{"durationSeconds": 7200}""", "durationSeconds must be between 1 and 3600, got 7200")]
    [InlineData("""{"skew": "zipf"}""", "skew must be one of \"uniform\", \"hot-slots\", \"hash-tags\", got \"zipf\"")]
    [InlineData("""{"keys": "many"}""", "keys, valueBytes, opsPerSecond and durationSeconds as whole numbers")]
    public Task Out_of_range_or_malformed_values_are_a_400_problem_naming_each_and_start_nothing(string body, string detail) => fixture.RunAsync(async () =>
    {
        await MigrationsApiTests.AssertProblemAsync(await Operator.PostJsonAsync("/api/load", body), HttpStatusCode.BadRequest, detail);

        Assert.False((await Operator.GetJsonAsync("/api/load")).GetProperty("running").GetBoolean());
    });

    [Fact]
    public Task A_viewer_reads_the_state_but_may_neither_start_nor_stop() => fixture.RunAsync(async () =>
    {
        await MigrationsApiTests.AssertProblemAsync(await fixture.Viewer.PostJsonAsync("/api/load", "{}"), HttpStatusCode.Forbidden, "dashboards-team is a viewer");
        await MigrationsApiTests.AssertProblemAsync(await fixture.Viewer.DeleteAsync(new Uri("/api/load", UriKind.Relative)), HttpStatusCode.Forbidden, "dashboards-team is a viewer");

        var state = await fixture.Viewer.GetJsonAsync("/api/load");
        Assert.False(state.GetProperty("running").GetBoolean());
        Assert.True(state.GetProperty("allowed").GetBoolean());
    });

    [Fact]
    public Task Stopping_when_none_runs_is_a_409_problem() => fixture.RunAsync(async () =>
        await MigrationsApiTests.AssertProblemAsync(await Operator.DeleteAsync(new Uri("/api/load", UriKind.Relative)), HttpStatusCode.Conflict, "no demo load is running"));

    [Fact]
    public async Task In_External_mode_without_the_setting_a_start_is_a_409_problem_saying_why_and_audited()
    {
        // Nothing listens there: the refusal comes before any connection.
        await using var external = DashboardAppFactory.External([$"127.0.0.1:{TestPorts.AllocateBlock(1)}"]);
        using var client = external.CreateClient();

        await MigrationsApiTests.AssertProblemAsync(await client.PostJsonAsync("/api/load", "{}"), HttpStatusCode.Conflict, "set Dashboard:Load:AllowExternal to true");

        var state = await client.GetJsonAsync("/api/load");
        Assert.False(state.GetProperty("allowed").GetBoolean());
        Assert.False(state.GetProperty("running").GetBoolean());
        var audit = (await client.GetJsonAsync("/api/audit")).GetProperty("items").EnumerateArray();
        Assert.Contains(audit, e => e.GetProperty("action").GetString() == "load.start" && e.GetProperty("outcome").GetString() == "refused");
    }

    [Fact]
    public Task Hub_clients_are_told_when_the_load_starts_moves_on_and_stops() => fixture.RunAsync(async () =>
    {
        var server = fixture.Factory.Server;
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "hubs/cluster"), options =>
            {
                options.HttpMessageHandlerFactory = _ => server.CreateHandler();
                options.Transports = HttpTransportType.LongPolling;
                options.AccessTokenProvider = () => Task.FromResult<string?>(DemoLoadDashboardFixture.ViewerToken);
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)))
            .Build();
        var changes = new ConcurrentQueue<LoadResponse>();
        hub.On<LoadResponse>(nameof(IClusterClient.LoadChanged), changes.Enqueue);
        await hub.StartAsync();

        using var start = await Operator.PostJsonAsync("/api/load", """{"keys": 100, "opsPerSecond": 200, "durationSeconds": 60}""");
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        await Wait.UntilAsync(_ => Task.FromResult(changes.Any(c => c.Running && c.OpsDone > 0)), Deadline, "a LoadChanged with operations done", TimeSpan.FromMilliseconds(50));
        using (await Operator.DeleteAsync(new Uri("/api/load", UriKind.Relative)))
        {
        }

        await Wait.UntilAsync(_ => Task.FromResult(changes.Any(c => !c.Running)), Deadline, "a LoadChanged saying the load stopped", TimeSpan.FromMilliseconds(50));
        Assert.True(changes.First().Running);
        Assert.Equal(DemoLoadDashboardFixture.OperatorName, changes.First().StartedBy);
        Assert.Equal("stopped by ci", changes.Last().StopReason);
    });

    [Fact]
    public async Task The_OpenAPI_document_describes_the_load_endpoints_and_the_migration_impact_with_examples()
    {
        var document = await fixture.Viewer.GetJsonAsync("/openapi/v1.json");

        var load = document.GetProperty("paths").GetProperty("/api/load");
        foreach (var method in new[] { "get", "post", "delete" })
        {
            Assert.False(string.IsNullOrEmpty(load.GetProperty(method).GetProperty("summary").GetString()), $"{method} /api/load has no summary");
        }

        var post = load.GetProperty("post");
        Assert.Equal("hot-slots", post.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example").GetProperty("skew").GetString());
        Assert.True(post.GetProperty("responses").TryGetProperty("409", out _));
        Assert.True(post.GetProperty("responses").GetProperty("202").GetProperty("content").GetProperty("application/json").GetProperty("example").GetProperty("running").GetBoolean());
        Assert.True(load.GetProperty("delete").GetProperty("responses").TryGetProperty("409", out _));
        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.GetProperty("MigrationResponse").GetProperty("properties").TryGetProperty("impact", out _));
        var listed = document.GetProperty("paths").GetProperty("/api/migrations").GetProperty("get").GetProperty("responses").GetProperty("200")
            .GetProperty("content").GetProperty("application/json").GetProperty("example").GetProperty("items")[0].GetProperty("impact");
        Assert.True(listed.GetProperty("probes").GetInt64() > 0);
        Assert.True(listed.TryGetProperty("maxPauseMs", out _));
    }
}
