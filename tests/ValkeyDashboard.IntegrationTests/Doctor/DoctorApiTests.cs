using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using ValkeyDashboard.Hubs;
using ValkeyDashboard.IntegrationTests.Api;
using ValkeyDashboard.IntegrationTests.Infrastructure;
using static ValkeyDashboard.IntegrationTests.Infrastructure.DoctorClusterFixture;

namespace ValkeyDashboard.IntegrationTests.Doctor;

/// <summary>The doctor's API around its findings: refusals as ProblemDetails, the OpenAPI description, the hub messages.</summary>
[Collection(DoctorClusterCollection.Name)]
public class DoctorApiTests(DoctorClusterFixture fixture)
{
    [Fact]
    public async Task A_fix_id_that_never_was_is_a_404_problem()
    {
        using var response = await fixture.Client.PostAsync(new Uri("/api/doctor/fixes/forget-node-0000000000", UriKind.Relative), null);

        await MigrationsApiTests.AssertProblemAsync(response, HttpStatusCode.NotFound, "there is no fix forget-node-0000000000; GET /api/doctor lists");
    }

    [Fact]
    public async Task A_dry_run_flag_that_is_not_a_boolean_is_a_400_problem()
    {
        using var response = await fixture.Client.PostAsync(new Uri("/api/doctor/fixes/x?dryRun=maybe", UriKind.Relative), null);

        await MigrationsApiTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "dryRun must be true or false, got \"maybe\"");
    }

    [Fact]
    public async Task The_openapi_document_describes_both_operations_with_examples()
    {
        var paths = (await fixture.Client.GetJsonAsync("/openapi/v1.json")).GetProperty("paths");

        var get = paths.GetProperty("/api/doctor").GetProperty("get");
        Assert.False(string.IsNullOrEmpty(get.GetProperty("summary").GetString()));
        Assert.Equal("unassigned-slots", Example(get, "200").GetProperty("findings")[0].GetProperty("kind").GetString());
        var post = paths.GetProperty("/api/doctor/fixes/{id}").GetProperty("post");
        Assert.Contains("dryRun", post.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal("127.0.0.1:7000: CLUSTER ADDSLOTSRANGE 0 15", Example(post, "200").GetProperty("steps")[0].GetProperty("commands")[0].GetString());
        Assert.Equal(409, Example(post, "409").GetProperty("status").GetInt32());
        foreach (var status in new[] { "403", "404" })
        {
            Assert.True(post.GetProperty("responses").TryGetProperty(status, out _), $"no {status} response");
        }
    }

    [Fact]
    public async Task Hub_clients_hear_of_a_new_finding_and_of_the_fix_sent_for_it()
    {
        await fixture.WaitForHealthyAsync();
        var primary = (await fixture.TopologyAsync()).Primaries[2];
        var server = fixture.Factory.Server;
        var findings = new ConcurrentQueue<JsonElement>();
        var fixes = new ConcurrentQueue<JsonElement>();
        await using var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "hubs/cluster"), options =>
            {
                options.HttpMessageHandlerFactory = _ => server.CreateHandler();
                options.Transports = HttpTransportType.LongPolling;
            })
            .Build();
        connection.On<JsonElement>(nameof(IClusterClient.DoctorFindingsChanged), r => findings.Enqueue(r));
        connection.On<JsonElement>(nameof(IClusterClient.DoctorFixApplied), f => fixes.Enqueue(f));
        await connection.StartAsync();

        await TestCleanup.RunAsync(
            async () =>
            {
                await fixture.CliAsync(primary.Endpoint, "CONFIG", "SET", "cluster-slot-stats-enabled", "no");
                var fixId = await WaitForAsync(
                    () => findings.SelectMany(r => r.GetProperty("findings").EnumerateArray()).Where(f => Kind(f) == "slot-stats-disabled")
                        .Select(f => f.GetProperty("fix").GetProperty("id").GetString()).FirstOrDefault(),
                    "a DoctorFindingsChanged with slot statistics off");

                using (await fixture.Client.PostAsync(new Uri($"/api/doctor/fixes/{fixId}", UriKind.Relative), null))
                {
                }

                var fix = await WaitForAsync(() => fixes.Select(f => (JsonElement?)f).FirstOrDefault(f => f!.Value.GetProperty("fixId").GetString() == fixId), "a DoctorFixApplied");
                Assert.Equal($"{primary.Endpoint}: CONFIG SET cluster-slot-stats-enabled yes", fix!.Value.GetProperty("steps")[0].GetProperty("commands")[0].GetString());
                Assert.False(fix.Value.GetProperty("dryRun").GetBoolean());
            },
            cleanup: async () =>
            {
                await fixture.CliAsync(primary.Endpoint, "CONFIG", "SET", "cluster-slot-stats-enabled", "yes");
                await fixture.WaitForHealthyAsync();
            });
    }

    private static JsonElement Example(JsonElement operation, string status) =>
        operation.GetProperty("responses").GetProperty(status).GetProperty("content").EnumerateObject().First().Value.GetProperty("example");

    private static async Task<T> WaitForAsync<T>(Func<T> read, string what)
    {
        T value = default!;
        await ValkeyDashboard.Cluster.Concurrency.Wait.UntilAsync(
            _ =>
            {
                value = read();
                return Task.FromResult(value is not null);
            },
            TimeSpan.FromSeconds(30), what, TimeSpan.FromMilliseconds(50));
        return value;
    }
}
