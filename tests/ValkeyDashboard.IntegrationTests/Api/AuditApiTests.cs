using System.Net;
using System.Text.Json;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Api;

/// <summary>Every start and cancel, accepted or refused, is in the audit log with who asked and what came of it.</summary>
[Collection(DashboardAppCollection.Name)]
public class AuditApiTests(DashboardAppFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private HttpClient Client => fixture.Client;

    [Fact]
    public Task Starts_and_cancels_accepted_or_refused_are_recorded_newest_first_with_actor_outcome_and_reason() => fixture.RestoringAsync(async () =>
    {
        var primaries = await Client.PrimariesAsync();
        var (source, target) = (primaries[0], primaries[1]);
        var slot = MigrationsApiTests.LargestRangeStart(source.Slots);
        var before = (await Client.GetJsonAsync("/api/audit")).GetProperty("total").GetInt32();

        using var started = await Client.PostJsonAsync("/api/migrations", $$"""{"slots": "{{slot}}", "targetNodeId": "{{target.Id}}"}""");
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        await Client.WaitForMigrationAsync(id, m => m.GetProperty("state").GetString() == "succeeded", Deadline);
        using var refusedStart = await Client.PostJsonAsync("/api/migrations", $$"""{"slots": "9-3", "targetNodeId": "{{target.Id}}"}""");
        using var refusedCancel = await Client.PostAsync(new Uri($"/api/migrations/{id}/cancel", UriKind.Relative), null);
        using var back = await Client.PostJsonAsync("/api/migrations", $$"""{"slots": "{{slot}}", "targetNodeId": "{{source.Id}}"}""");
        var backId = JsonDocument.Parse(await back.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        await Client.WaitForMigrationAsync(backId, m => m.GetProperty("state").GetString() == "succeeded", Deadline);

        var audit = await Client.GetJsonAsync("/api/audit?pageSize=4");

        Assert.Equal(before + 4, audit.GetProperty("total").GetInt32());
        var entries = audit.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(4, entries.Count);
        // Newest first: the way back, the refused cancel, the refused start, the first start.
        AssertEntry(entries[3], "migration.start", $"{slot} → {target.Endpoint}", "accepted", $"migration {id}");
        AssertEntry(entries[2], "migration.start", $"9-3 → {target.Endpoint}", "refused", "range 9-3 ends before it starts");
        AssertEntry(entries[1], "migration.cancel", id, "refused", "only a running migration can be cancelled");
        AssertEntry(entries[0], "migration.start", $"{slot} → {source.Endpoint}", "accepted", $"migration {backId}");
        Assert.True(entries[0].GetProperty("id").GetInt64() > entries[3].GetProperty("id").GetInt64());
        Assert.True(entries[0].GetProperty("at").GetDateTimeOffset() >= entries[3].GetProperty("at").GetDateTimeOffset());
    });

    [Fact]
    public async Task A_bad_page_is_a_400_problem()
    {
        await MigrationsApiTests.AssertProblemAsync(await Client.GetAsync(new Uri("/api/audit?pageSize=0", UriKind.Relative)), HttpStatusCode.BadRequest, "pageSize must be a whole number");
    }

    private static void AssertEntry(JsonElement entry, string action, string subject, string outcome, string detail)
    {
        Assert.Equal("api", entry.GetProperty("actor").GetString());
        Assert.Equal(action, entry.GetProperty("action").GetString());
        Assert.Equal(subject, entry.GetProperty("subject").GetString());
        Assert.Equal(outcome, entry.GetProperty("outcome").GetString());
        Assert.Contains(detail, entry.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
