using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Api;

[Collection(DashboardAppCollection.Name)]
public class MigrationsApiTests(DashboardAppFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private HttpClient Client => fixture.Client;

    [Fact]
    public Task Starting_a_migration_answers_202_with_its_location_and_it_succeeds() => fixture.RestoringAsync(async () =>
    {
        var primaries = await Client.PrimariesAsync();
        var slot = LargestRangeStart(primaries[0].Slots);

        using var response = await Client.PostJsonAsync("/api/migrations", $$"""{"slots": "{{slot}}-{{slot + 9}},{{slot + 20}}", "targetNodeId": "{{primaries[1].Id}}"}""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var id = body.GetProperty("id").GetString()!;
        Assert.Equal($"/api/migrations/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal($"{slot}-{slot + 9},{slot + 20}", body.GetProperty("slots").GetString());
        Assert.Equal(primaries[1].Id, body.GetProperty("targetNodeId").GetString());
        Assert.Equal("api", body.GetProperty("requestedBy").GetString());
        Assert.Equal("atomic", body.GetProperty("engine").GetString());
        var job = Assert.Single(body.GetProperty("jobs").EnumerateArray());
        Assert.Equal(primaries[0].Id, job.GetProperty("sourceNodeId").GetString());
        Assert.Matches("^[0-9a-f]{40}$", job.GetProperty("valkeyJobName").GetString());

        var done = await Client.WaitForMigrationAsync(id, m => m.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled", Deadline);
        Assert.Equal("succeeded", done.GetProperty("state").GetString());
        Assert.Equal(1.0, done.GetProperty("progress").GetDouble());
        Assert.Equal(JsonValueKind.String, done.GetProperty("finishedAt").ValueKind);
        var target = (await Client.PrimariesAsync()).Single(p => p.Id == primaries[1].Id);
        Assert.Contains($"{slot}-{slot + 9}", target.Slots, StringComparison.Ordinal);
    });

    [Fact]
    public Task With_engine_keys_the_slots_move_key_by_key_authenticating_with_the_cluster_s_password_and_the_json_says_so() => fixture.RestoringAsync(async () =>
    {
        var primaries = await Client.PrimariesAsync();
        var slot = LargestRangeStart(primaries[2].Slots);

        using var response = await Client.PostJsonAsync("/api/migrations", $$"""{"slots": "{{slot}}-{{slot + 49}}", "targetNodeId": "{{primaries[0].Id}}", "engine": "keys"}""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        var done = await Client.WaitForMigrationAsync(id, m => m.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled", Deadline);
        Assert.True(done.GetProperty("state").GetString() == "succeeded", done.GetProperty("error").ToString());
        Assert.Equal("keys", done.GetProperty("engine").GetString());
        var job = Assert.Single(done.GetProperty("jobs").EnumerateArray());
        Assert.Equal($"{slot}-{slot + 49}", job.GetProperty("slotsMoved").GetString());
        Assert.Equal(string.Empty, job.GetProperty("slotsInFlight").GetString());
        Assert.Contains($"{slot}-{slot + 49}", (await Client.PrimariesAsync()).Single(p => p.Id == primaries[0].Id).Slots, StringComparison.Ordinal);
    });

    [Theory]
    [InlineData("", "atomic", 0)]
    [InlineData(", \"engine\": \"auto\"", "atomic", 0)]
    [InlineData(", \"engine\": \"atomic\"", "atomic", 0)]
    [InlineData(", \"engine\": \"keys\"", "keys", 3)]
    public async Task Preflight_on_Valkey_9_names_the_engine_auto_picking_atomic_and_lists_what_clients_see_key_by_key(string engine, string expected, int clientEffects)
    {
        var primaries = await Client.PrimariesAsync();

        using var response = await Client.PostJsonAsync("/api/migrations/preflight", $$"""{"slots": "{{FirstSlot(primaries[0].Slots)}}", "targetNodeId": "{{primaries[1].Id}}"{{engine}}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(expected, body.GetProperty("engine").GetString());
        Assert.Equal(clientEffects, body.GetProperty("clientEffects").GetArrayLength());
    }

    [Fact]
    public Task A_retry_with_the_same_Idempotency_Key_returns_the_same_migration_and_starts_nothing_new() => fixture.RestoringAsync(async () =>
    {
        var primaries = await Client.PrimariesAsync();
        var slot = FirstSlot(primaries[2].Slots);
        var json = $$"""{"slots": "{{slot}}", "targetNodeId": "{{primaries[0].Id}}"}""";
        var key = $"retry-me-{Guid.NewGuid():N}";
        var before = (await Client.GetJsonAsync("/api/migrations?pageSize=200")).GetProperty("total").GetInt32();

        using var first = await Client.PostJsonAsync("/api/migrations", json, idempotencyKey: key);
        using var second = await Client.PostJsonAsync("/api/migrations", json, idempotencyKey: key);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var firstId = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        var secondId = JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        Assert.Equal(firstId, secondId);
        Assert.Equal(before + 1, (await Client.GetJsonAsync("/api/migrations?pageSize=200")).GetProperty("total").GetInt32());
        await Client.WaitForMigrationAsync(firstId!, m => m.GetProperty("state").GetString() == "succeeded", Deadline);
    });

    [Fact]
    public Task The_same_Idempotency_Key_for_a_different_request_is_a_409_problem() => fixture.RestoringAsync(async () =>
    {
        var primaries = await Client.PrimariesAsync();
        var slot = FirstSlot(primaries[2].Slots);
        var key = $"used-once-{Guid.NewGuid():N}";
        using var first = await Client.PostJsonAsync("/api/migrations", $$"""{"slots": "{{slot}}", "targetNodeId": "{{primaries[0].Id}}"}""", idempotencyKey: key);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);

        using var different = await Client.PostJsonAsync("/api/migrations", $$"""{"slots": "{{slot + 1}}", "targetNodeId": "{{primaries[0].Id}}"}""", idempotencyKey: key);

        await AssertProblemAsync(different, HttpStatusCode.Conflict, "was used for a different request");
    });

    [Fact]
    public Task The_history_is_listed_newest_first() => fixture.RestoringAsync(async () =>
    {
        var primaries = await Client.PrimariesAsync();
        var id = await MoveAsync(FirstSlot(primaries[1].Slots).ToString(System.Globalization.CultureInfo.InvariantCulture), primaries[2].Id);

        var page = await Client.GetJsonAsync("/api/migrations?page=1&pageSize=1");

        Assert.Equal(1, page.GetProperty("pageSize").GetInt32());
        Assert.Equal(id, Assert.Single(page.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());
        var all = (await Client.GetJsonAsync("/api/migrations?pageSize=200")).GetProperty("items").EnumerateArray().Select(m => m.GetProperty("createdAt").GetDateTimeOffset()).ToList();
        Assert.Equal(all.OrderByDescending(t => t), all);
    });

    [Fact]
    public Task Page_2_holds_the_migrations_that_follow_page_1() => fixture.RestoringAsync(async () =>
    {
        var primaries = await Client.PrimariesAsync();
        var older = await MoveAsync(FirstSlot(primaries[1].Slots).ToString(System.Globalization.CultureInfo.InvariantCulture), primaries[2].Id);
        var newer = await MoveAsync(FirstSlot(primaries[0].Slots).ToString(System.Globalization.CultureInfo.InvariantCulture), primaries[2].Id);

        var first = await Client.GetJsonAsync("/api/migrations?page=1&pageSize=1");
        var second = await Client.GetJsonAsync("/api/migrations?page=2&pageSize=1");

        Assert.Equal(newer, Assert.Single(first.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(2, second.GetProperty("page").GetInt32());
        Assert.Equal(older, Assert.Single(second.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(first.GetProperty("total").GetInt32(), second.GetProperty("total").GetInt32());
    });

    [Fact]
    public async Task A_page_past_the_end_of_the_history_is_empty_and_still_gives_the_total()
    {
        var total = (await Client.GetJsonAsync("/api/migrations?pageSize=200")).GetProperty("total").GetInt32();

        var page = await Client.GetJsonAsync($"/api/migrations?page={total + 2}&pageSize=1");

        Assert.Empty(page.GetProperty("items").EnumerateArray());
        Assert.Equal(total + 2, page.GetProperty("page").GetInt32());
        Assert.Equal(total, page.GetProperty("total").GetInt32());
    }

    [Fact]
    public Task Preflight_splits_per_source_and_estimates_without_moving_anything() => fixture.RestoringAsync(async () =>
    {
        var primaries = await Client.PrimariesAsync();
        var slots = $"{FirstSlot(primaries[0].Slots)},{FirstSlot(primaries[1].Slots)}";

        using var response = await Client.PostJsonAsync("/api/migrations/preflight", $$"""{"slots": "{{slots}}", "targetNodeId": "{{primaries[2].Id}}"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var plan = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(2, plan.GetProperty("jobs").GetArrayLength());
        Assert.Equal(JsonValueKind.Number, plan.GetProperty("estimate").GetProperty("keys").ValueKind);
        Assert.Equal(primaries.Select(p => p.Slots), (await Client.PrimariesAsync()).Select(p => p.Slots));
    });

    [Fact]
    public Task A_waiting_GET_answers_once_the_migration_has_finished() => fixture.RestoringAsync(async () =>
    {
        var primaries = await Client.PrimariesAsync();
        using var started = await Client.PostJsonAsync("/api/migrations", $$"""{"slots": "{{FirstSlot(primaries[1].Slots)}}", "targetNodeId": "{{primaries[0].Id}}"}""");
        var id = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;

        var done = await Client.GetJsonAsync($"/api/migrations/{id}?wait=60");

        Assert.Equal("succeeded", done.GetProperty("state").GetString());
    });

    [Fact]
    public Task A_waiting_GET_that_expires_answers_the_running_state_after_about_the_wait() => fixture.RestoringAsync(async () =>
    {
        var primaries = await Client.PrimariesAsync();
        await using var valkey = await fixture.Factory.ConnectToClusterAsync();
        await using var hold = await MigrationHold.OnAsync(valkey.GetServer(primaries[0].Endpoint));
        var id = await StartAsync($"{LargestRangeStart(primaries[0].Slots)}", primaries[1].Id);
        await Client.WaitForMigrationAsync(id, m => m.GetProperty("jobs")[0].GetProperty("valkeyState").GetString() == "waiting-to-pause", Deadline);

        var clock = Stopwatch.StartNew();
        var answer = await Client.GetJsonAsync($"/api/migrations/{id}?wait=2");
        clock.Stop();

        Assert.Equal("running", answer.GetProperty("state").GetString());
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(5));
    });

    [Theory]
    [InlineData("0", "wait must be a whole number of seconds from 1 to 120, got \"0\"")]
    [InlineData("121", "wait must be a whole number of seconds from 1 to 120, got \"121\"")]
    [InlineData("soon", "wait must be a whole number of seconds from 1 to 120, got \"soon\"")]
    public async Task A_wait_outside_1_to_120_seconds_is_a_400_problem(string wait, string detail)
    {
        var id = (await Client.GetJsonAsync("/api/migrations?pageSize=1")).GetProperty("items").EnumerateArray().Select(m => m.GetProperty("id").GetString()).FirstOrDefault()
            ?? "0123456789abcdef";

        await AssertProblemAsync(await Client.GetAsync(new Uri($"/api/migrations/{id}?wait={wait}", UriKind.Relative)), HttpStatusCode.BadRequest, detail);
    }

    [Fact]
    public async Task An_unknown_migration_is_a_404_problem()
    {
        await AssertProblemAsync(await Client.GetAsync(new Uri("/api/migrations/0123456789abcdef", UriKind.Relative)), HttpStatusCode.NotFound, "there is no migration 0123456789abcdef");
    }

    [Fact]
    public async Task Cancelling_an_unknown_migration_is_a_404_problem()
    {
        await AssertProblemAsync(await Client.PostJsonAsync("/api/migrations/0123456789abcdef/cancel", "{}"), HttpStatusCode.NotFound, "there is no migration 0123456789abcdef");
    }

    [Fact]
    public Task Cancelling_a_succeeded_migration_is_a_409_problem_saying_so() => fixture.RestoringAsync(async () =>
    {
        var primaries = await Client.PrimariesAsync();
        var id = await MoveAsync($"{FirstSlot(primaries[0].Slots)}", primaries[2].Id);

        await AssertProblemAsync(await Client.PostJsonAsync($"/api/migrations/{id}/cancel", "{}"), HttpStatusCode.Conflict,
            $"migration {id} has already succeeded; only a running migration can be cancelled");
    });

    [Fact]
    public Task Cancelling_a_cancelled_migration_is_a_409_problem_saying_so() => fixture.RestoringAsync(async () =>
    {
        var primaries = await Client.PrimariesAsync();
        await using var valkey = await fixture.Factory.ConnectToClusterAsync();
        string id;
        await using (await MigrationHold.OnAsync(valkey.GetServer(primaries[0].Endpoint)))
        {
            id = await StartAsync($"{LargestRangeStart(primaries[0].Slots)}", primaries[1].Id);
            await Client.WaitForMigrationAsync(id, m => m.GetProperty("jobs")[0].GetProperty("valkeyJobName").ValueKind == JsonValueKind.String, Deadline);
            using var cancel = await Client.PostJsonAsync($"/api/migrations/{id}/cancel", "{}");
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
            await Client.WaitForMigrationAsync(id, m => m.GetProperty("state").GetString() == "cancelled", Deadline);
        }

        await AssertProblemAsync(await Client.PostJsonAsync($"/api/migrations/{id}/cancel", "{}"), HttpStatusCode.Conflict,
            $"migration {id} has already cancelled; only a running migration can be cancelled");
    });

    [Fact]
    public async Task Cancelling_a_failed_migration_is_a_409_problem_saying_so()
    {
        var primaries = await Client.PrimariesAsync();
        var source = primaries[0];
        await using var valkey = await fixture.Factory.ConnectToClusterAsync();
        var server = valkey.GetServer(source.Endpoint);
        string id = string.Empty;
        // The source authenticates to the target with its primaryauth: a wrong one fails the migration (a primary uses it for nothing else).
        await fixture.RestoringAsync(
            async () =>
            {
                await server.ExecuteAsync("CONFIG", "SET", "primaryauth", "not-the-password");
                id = await StartAsync($"{LargestRangeStart(source.Slots)}", primaries[1].Id);
                var failed = await Client.WaitForMigrationAsync(id, m => m.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled", Deadline);
                Assert.Equal("failed", failed.GetProperty("state").GetString());
                Assert.Contains("Failed to AUTH to target node", failed.GetProperty("error").GetString(), StringComparison.Ordinal);

                await AssertProblemAsync(await Client.PostJsonAsync($"/api/migrations/{id}/cancel", "{}"), HttpStatusCode.Conflict,
                    $"migration {id} has already failed; only a running migration can be cancelled");
            },
            cleanup: () => server.ExecuteAsync("CONFIG", "SET", "primaryauth", fixture.Factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ValkeyOptions>>().Value.Password!));
    }

    /// <summary>Starts moving <paramref name="slots"/> to <paramref name="targetId"/> and returns the migration's id.</summary>
    private async Task<string> StartAsync(string slots, string targetId)
    {
        using var started = await Client.PostJsonAsync("/api/migrations", $$"""{"slots": "{{slots}}", "targetNodeId": "{{targetId}}"}""");
        var body = await started.Content.ReadAsStringAsync();
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, $"starting {slots} → {targetId} answered {started.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>Moves <paramref name="slots"/> to <paramref name="targetId"/> and waits until that has succeeded.</summary>
    private async Task<string> MoveAsync(string slots, string targetId)
    {
        var id = await StartAsync(slots, targetId);
        var done = await Client.WaitForMigrationAsync(id, m => m.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled", Deadline);
        Assert.Equal("succeeded", done.GetProperty("state").GetString());
        return id;
    }

    /// <summary>The start of the node's longest range.</summary>
    internal static int LargestRangeStart(string ranges) =>
        ranges.Split(',').Select(r => r.Split('-').Select(x => int.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray())
            .OrderByDescending(r => r[^1] - r[0]).First()[0];

    internal static int FirstSlot(string ranges) => int.Parse(ranges.Split(',')[0].Split('-')[0], System.Globalization.CultureInfo.InvariantCulture);

    internal static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detail)
    {
        using (response)
        {
            Assert.True(status == response.StatusCode, $"expected {status} with \"{detail}\", got {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var text = await response.Content.ReadAsStringAsync();
            var problem = JsonDocument.Parse(text).RootElement;
            Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
            Assert.True(problem.TryGetProperty("detail", out var actual), $"no detail in {text}");
            Assert.Contains(detail, actual.GetString(), StringComparison.Ordinal);
        }
    }
}
