using System.Net;
using System.Text.Json;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Api;

[Collection(DashboardAppCollection.Name)]
public class MigrationsApiTests(DashboardAppFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Starting_a_migration_answers_202_with_its_location_and_it_succeeds()
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
        var job = Assert.Single(body.GetProperty("jobs").EnumerateArray());
        Assert.Equal(primaries[0].Id, job.GetProperty("sourceNodeId").GetString());
        Assert.Matches("^[0-9a-f]{40}$", job.GetProperty("valkeyJobName").GetString());

        var done = await Client.WaitForMigrationAsync(id, m => m.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled", Deadline);
        Assert.Equal("succeeded", done.GetProperty("state").GetString());
        Assert.Equal(1.0, done.GetProperty("progress").GetDouble());
        Assert.Equal(JsonValueKind.String, done.GetProperty("finishedAt").ValueKind);
        var target = (await Client.PrimariesAsync()).Single(p => p.Id == primaries[1].Id);
        Assert.Contains($"{slot}-{slot + 9}", target.Slots, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_retry_with_the_same_Idempotency_Key_returns_the_same_migration_and_starts_nothing_new()
    {
        var primaries = await Client.PrimariesAsync();
        var slot = FirstSlot(primaries[2].Slots);
        var json = $$"""{"slots": "{{slot}}", "targetNodeId": "{{primaries[0].Id}}"}""";
        var before = (await Client.GetJsonAsync("/api/migrations?pageSize=200")).GetProperty("total").GetInt32();

        using var first = await Client.PostJsonAsync("/api/migrations", json, idempotencyKey: "retry-me");
        using var second = await Client.PostJsonAsync("/api/migrations", json, idempotencyKey: "retry-me");

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var firstId = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        var secondId = JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        Assert.Equal(firstId, secondId);
        Assert.Equal(before + 1, (await Client.GetJsonAsync("/api/migrations?pageSize=200")).GetProperty("total").GetInt32());

        using var different = await Client.PostJsonAsync("/api/migrations", $$"""{"slots": "{{slot + 1}}", "targetNodeId": "{{primaries[0].Id}}"}""", idempotencyKey: "retry-me");
        await AssertProblemAsync(different, HttpStatusCode.Conflict, "was used for a different request");
        await Client.WaitForMigrationAsync(firstId!, m => m.GetProperty("state").GetString() == "succeeded", Deadline);
    }

    [Fact]
    public async Task The_history_is_listed_newest_first_and_paged()
    {
        var primaries = await Client.PrimariesAsync();
        using var started = await Client.PostJsonAsync("/api/migrations", $$"""{"slots": "{{FirstSlot(primaries[1].Slots)}}", "targetNodeId": "{{primaries[2].Id}}"}""");
        var id = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        await Client.WaitForMigrationAsync(id, m => m.GetProperty("state").GetString() == "succeeded", Deadline);

        var page = await Client.GetJsonAsync("/api/migrations?page=1&pageSize=1");

        Assert.Equal(1, page.GetProperty("pageSize").GetInt32());
        Assert.True(page.GetProperty("total").GetInt32() >= 1);
        Assert.Equal(id, Assert.Single(page.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());
        var all = (await Client.GetJsonAsync("/api/migrations?pageSize=200")).GetProperty("items").EnumerateArray().Select(m => m.GetProperty("createdAt").GetDateTimeOffset()).ToList();
        Assert.Equal(all.OrderByDescending(t => t), all);
    }

    [Fact]
    public async Task Preflight_splits_per_source_and_estimates_without_moving_anything()
    {
        var primaries = await Client.PrimariesAsync();
        var slots = $"{FirstSlot(primaries[0].Slots)},{FirstSlot(primaries[1].Slots)}";

        using var response = await Client.PostJsonAsync("/api/migrations/preflight", $$"""{"slots": "{{slots}}", "targetNodeId": "{{primaries[2].Id}}"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var plan = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(2, plan.GetProperty("jobs").GetArrayLength());
        Assert.Equal(JsonValueKind.Number, plan.GetProperty("estimate").GetProperty("keys").ValueKind);
        Assert.Equal(primaries.Select(p => p.Slots), (await Client.PrimariesAsync()).Select(p => p.Slots));
    }

    [Fact]
    public async Task A_waiting_GET_answers_once_the_migration_has_finished()
    {
        var primaries = await Client.PrimariesAsync();
        using var started = await Client.PostJsonAsync("/api/migrations", $$"""{"slots": "{{FirstSlot(primaries[1].Slots)}}", "targetNodeId": "{{primaries[0].Id}}"}""");
        var id = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;

        var done = await Client.GetJsonAsync($"/api/migrations/{id}?wait=60");

        Assert.Equal("succeeded", done.GetProperty("state").GetString());
        await AssertProblemAsync(await Client.GetAsync(new Uri($"/api/migrations/{id}?wait=0", UriKind.Relative)), HttpStatusCode.BadRequest, "wait must be a whole number of seconds from 1 to 120");
        await AssertProblemAsync(await Client.GetAsync(new Uri($"/api/migrations/{id}?wait=121", UriKind.Relative)), HttpStatusCode.BadRequest, "wait must be");
        await AssertProblemAsync(await Client.GetAsync(new Uri($"/api/migrations/{id}?wait=soon", UriKind.Relative)), HttpStatusCode.BadRequest, "wait must be");
    }

    [Fact]
    public async Task Unknown_migrations_are_404_problems()
    {
        await AssertProblemAsync(await Client.GetAsync(new Uri("/api/migrations/0123456789abcdef", UriKind.Relative)), HttpStatusCode.NotFound, "there is no migration 0123456789abcdef");
        await AssertProblemAsync(await Client.PostJsonAsync("/api/migrations/0123456789abcdef/cancel", "{}"), HttpStatusCode.NotFound, "there is no migration");
    }

    [Fact]
    public async Task Cancelling_a_finished_migration_is_a_409_problem()
    {
        var primaries = await Client.PrimariesAsync();
        using var started = await Client.PostJsonAsync("/api/migrations", $$"""{"slots": "{{FirstSlot(primaries[0].Slots)}}", "targetNodeId": "{{primaries[2].Id}}"}""");
        var id = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        await Client.WaitForMigrationAsync(id, m => m.GetProperty("state").GetString() == "succeeded", Deadline);

        await AssertProblemAsync(await Client.PostJsonAsync($"/api/migrations/{id}/cancel", "{}"), HttpStatusCode.Conflict, "has already succeeded");
    }

    /// <summary>The start of the node's longest range (earlier tests may have moved single slots away).</summary>
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
