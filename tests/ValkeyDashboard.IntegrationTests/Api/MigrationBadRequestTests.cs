using System.Net;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Api;

/// <summary>Every malformed or impossible migration request gets its status and a ProblemDetails that says why, and changes nothing.</summary>
[Collection(DashboardAppCollection.Name)]
public class MigrationBadRequestTests(DashboardAppFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Bad_requests_are_refused_with_the_reason_and_change_nothing()
    {
        var primaries = await Client.PrimariesAsync();
        var replica = (await Client.GetJsonAsync("/api/cluster")).GetProperty("nodes").EnumerateArray().First(n => n.GetProperty("role").GetString() == "replica").GetProperty("id").GetString();
        var target = primaries[1].Id;
        var ownSlot = MigrationsApiTests.FirstSlot(primaries[1].Slots);
        var historyBefore = (await Client.GetJsonAsync("/api/migrations")).GetProperty("total").GetInt32();

        (string Body, HttpStatusCode Status, string Detail)[] cases =
        [
            ($$"""{"slots": "16384", "targetNodeId": "{{target}}"}""", HttpStatusCode.BadRequest, "slot 16384 is out of range"),
            ($$"""{"slots": "-1", "targetNodeId": "{{target}}"}""", HttpStatusCode.BadRequest, "slot -1 is out of range"),
            ($$"""{"slots": "5-", "targetNodeId": "{{target}}"}""", HttpStatusCode.BadRequest, "incomplete range"),
            ($$"""{"slots": "9-3", "targetNodeId": "{{target}}"}""", HttpStatusCode.BadRequest, "range 9-3 ends before it starts"),
            ($$"""{"slots": "1,,2", "targetNodeId": "{{target}}"}""", HttpStatusCode.BadRequest, "empty item"),
            ($$"""{"slots": "", "targetNodeId": "{{target}}"}""", HttpStatusCode.BadRequest, "no slots given"),
            ($$"""{"targetNodeId": "{{target}}"}""", HttpStatusCode.BadRequest, "no slots given"),
            ($$"""{"slots": "0-16383", "targetNodeId": "{{target}}"}""", HttpStatusCode.BadRequest, "already owned by the target"),
            ($$"""{"slots": "{{ownSlot}}", "targetNodeId": "{{target}}"}""", HttpStatusCode.BadRequest, "already owned by the target"),
            ($$"""{"slots": "0-99", "targetNodeId": "{{replica}}"}""", HttpStatusCode.BadRequest, "is a replica"),
            ("""{"slots": "0-99", "targetNodeId": "0000000000000000000000000000000000000000"}""", HttpStatusCode.BadRequest, "is not a node of this cluster"),
            ("""{"slots": "0-99", "targetNodeId": "abc"}""", HttpStatusCode.BadRequest, "40 hex characters"),
            ("""{"slots": "0-99"}""", HttpStatusCode.BadRequest, "40 hex characters"),
            ("""{"slots": "0-99", "targetNodeId": "ЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖ"}""", HttpStatusCode.BadRequest, "40 hex characters"),
            ($$"""{"slots": 5, "targetNodeId": "{{target}}"}""", HttpStatusCode.BadRequest, "slots has a value of the wrong type"),
            ($$"""{"slots": ["0-9"], "targetNodeId": "{{target}}"}""", HttpStatusCode.BadRequest, "slots has a value of the wrong type"),
            ("""{"slots": "0-9", "targetNodeId": {"nested": [1, 2, {"x": null}]}}""", HttpStatusCode.BadRequest, "targetNodeId has a value of the wrong type"),
            ("""{"slots": "0-9", """, HttpStatusCode.BadRequest, "not valid JSON"),
            ("not json at all", HttpStatusCode.BadRequest, "not valid JSON"),
            ("null", HttpStatusCode.BadRequest, "empty or null"),
            ("", HttpStatusCode.BadRequest, "not valid JSON"),
            ($$"""{"slots": "{{new string('9', 5000)}}", "targetNodeId": "{{target}}"}""", HttpStatusCode.BadRequest, "is out of range"),
        ];

        foreach (var (body, status, detail) in cases)
        {
            await MigrationsApiTests.AssertProblemAsync(await Client.PostJsonAsync("/api/migrations", body), status, detail);
        }

        await MigrationsApiTests.AssertProblemAsync(
            await Client.PostJsonAsync("/api/migrations", $$"""{"slots": "0", "targetNodeId": "{{target}}"}""", contentType: "text/plain"),
            HttpStatusCode.UnsupportedMediaType, "the body must be JSON");
        await MigrationsApiTests.AssertProblemAsync(await Client.GetAsync(new Uri("/api/migrations?page=0", UriKind.Relative)), HttpStatusCode.BadRequest, "page must be a whole number");
        await MigrationsApiTests.AssertProblemAsync(await Client.GetAsync(new Uri("/api/migrations?pageSize=1000", UriKind.Relative)), HttpStatusCode.BadRequest, "pageSize must be a whole number from 1 to 200");
        await MigrationsApiTests.AssertProblemAsync(await Client.GetAsync(new Uri("/api/migrations?page=abc", UriKind.Relative)), HttpStatusCode.BadRequest, "page must be a whole number");

        Assert.Equal(primaries, await Client.PrimariesAsync());
        Assert.Equal(historyBefore, (await Client.GetJsonAsync("/api/migrations")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task When_Valkey_itself_refuses_its_words_are_passed_through_and_nothing_is_recorded()
    {
        var primaries = await Client.PrimariesAsync();
        var (source, target) = (primaries[0], primaries[1]);
        var slot = MigrationsApiTests.LargestRangeStart(source.Slots) + 7;
        var historyBefore = (await Client.GetJsonAsync("/api/migrations")).GetProperty("total").GetInt32();
        await using var valkey = await fixture.Factory.ConnectToClusterAsync();
        var sourceServer = valkey.GetServer(source.Endpoint);

        // A legacy (SETSLOT) migration is open on the slot: Valkey refuses an atomic one for it.
        await sourceServer.ExecuteAsync("CLUSTER", "SETSLOT", slot, "MIGRATING", target.Id);
        try
        {
            using var response = await Client.PostJsonAsync("/api/migrations", $$"""{"slots": "{{slot}}", "targetNodeId": "{{target.Id}}"}""");
            var text = await response.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            var problem = System.Text.Json.JsonDocument.Parse(text).RootElement;
            var valkeyError = problem.GetProperty("valkeyError").GetString();
            Assert.False(string.IsNullOrWhiteSpace(valkeyError), text);
            Assert.Contains("Valkey refused", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Contains(valkeyError!, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            await sourceServer.ExecuteAsync("CLUSTER", "SETSLOT", slot, "STABLE");
        }

        Assert.Equal(historyBefore, (await Client.GetJsonAsync("/api/migrations")).GetProperty("total").GetInt32());
        Assert.Equal(primaries, await Client.PrimariesAsync());
    }

    [Fact]
    public async Task Slots_already_moving_are_a_409_naming_the_migration_that_holds_them()
    {
        var primaries = await Client.PrimariesAsync();
        var source = primaries[2];
        var slot = MigrationsApiTests.LargestRangeStart(source.Slots);
        await using var valkey = await fixture.Factory.ConnectToClusterAsync();
        string heldId;
        await using (await MigrationHold.OnAsync(valkey.GetServer(source.Endpoint)))
        {
            using var held = await Client.PostJsonAsync("/api/migrations", $$"""{"slots": "{{slot}}-{{slot + 4}}", "targetNodeId": "{{primaries[0].Id}}"}""");
            Assert.Equal(HttpStatusCode.Accepted, held.StatusCode);
            heldId = System.Text.Json.JsonDocument.Parse(await held.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;

            using var clash = await Client.PostJsonAsync("/api/migrations", $$"""{"slots": "{{slot + 2}}-{{slot + 8}}", "targetNodeId": "{{primaries[1].Id}}"}""");

            await MigrationsApiTests.AssertProblemAsync(clash, HttpStatusCode.Conflict, $"already moving in migration {heldId}");
        }

        // Released: let it finish here, so it does not change the layout under the next test.
        Assert.Equal("succeeded", (await Client.GetJsonAsync($"/api/migrations/{heldId}?wait=60")).GetProperty("state").GetString());
    }
}
