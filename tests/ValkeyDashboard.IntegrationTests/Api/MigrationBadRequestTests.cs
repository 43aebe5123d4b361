using System.Net;
using System.Text.Json;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Api;

/// <summary>Every malformed or impossible migration request gets its status and a ProblemDetails that says why, and changes nothing.</summary>
[Collection(DashboardAppCollection.Name)]
public class MigrationBadRequestTests(DashboardAppFixture fixture)
{
    private HttpClient Client => fixture.Client;

    private async Task<int> HistoryTotalAsync() => (await Client.GetJsonAsync("/api/migrations")).GetProperty("total").GetInt32();

    private async Task<string> FillInAsync(string body)
    {
        var primaries = await Client.PrimariesAsync();
        var replica = (await Client.GetJsonAsync("/api/cluster")).GetProperty("nodes").EnumerateArray()
            .First(n => n.GetProperty("role").GetString() == "replica").GetProperty("id").GetString()!;
        return body.Replace("{target}", primaries[1].Id, StringComparison.Ordinal)
            .Replace("{replica}", replica, StringComparison.Ordinal)
            .Replace("{ownSlot}", MigrationsApiTests.FirstSlot(primaries[1].Slots).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    /// <summary>
    /// Bodies of POST /api/migrations, each refused with 400 and its reason. <c>{target}</c>, <c>{replica}</c> and
    /// <c>{ownSlot}</c> stand for a primary, a replica and a slot the target owns, filled in from the live cluster.
    /// </summary>
    public static TheoryData<string, string> BadBodies => new()
    {
        { """{"slots": "16384", "targetNodeId": "{target}"}""", "slot 16384 is out of range" },
        { """{"slots": "-1", "targetNodeId": "{target}"}""", "incomplete range \"-1\"" },
        { """{"slots": "5-", "targetNodeId": "{target}"}""", "incomplete range \"5-\"" },
        { """{"slots": "9-3", "targetNodeId": "{target}"}""", "range 9-3 ends before it starts" },
        { """{"slots": "1,,2", "targetNodeId": "{target}"}""", "empty item" },
        { """{"slots": "+5", "targetNodeId": "{target}"}""", "\"+5\" is not a slot or a range of slots" },
        { """{"slots": "", "targetNodeId": "{target}"}""", "no slots given" },
        { """{"targetNodeId": "{target}"}""", "no slots given" },
        { """{"slots": "0-16383", "targetNodeId": "{target}"}""", "already owned by the target" },
        { """{"slots": "{ownSlot}", "targetNodeId": "{target}"}""", "already owned by the target" },
        { """{"slots": "0-99", "targetNodeId": "{replica}"}""", "is a replica" },
        { """{"slots": "0-99", "targetNodeId": "0000000000000000000000000000000000000000"}""", "is not a node of this cluster" },
        { """{"slots": "0-99", "targetNodeId": "abc"}""", "40 hex characters" },
        { """{"slots": "0-99"}""", "40 hex characters" },
        { """{"slots": "0-99", "targetNodeId": "ЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖ"}""", "40 hex characters" },
        { """{"slots": 5, "targetNodeId": "{target}"}""", "slots has a value of the wrong type" },
        { """{"slots": ["0-9"], "targetNodeId": "{target}"}""", "slots has a value of the wrong type" },
        { """{"slots": "0-9", "targetNodeId": {"nested": [1, 2, {"x": null}]}}""", "targetNodeId has a value of the wrong type" },
        { """{"slots": "0-9", """, "not valid JSON" },
        { "not json at all", "not valid JSON" },
        { "null", "empty or null" },
        { """{"slots": "0-99", "targetNodeId": "{target}", "engine": "fast"}""", "engine must be \"auto\", \"atomic\" or \"keys\", got \"fast\"" },
        { """{"slots": "0-99", "targetNodeId": "{target}", "engine": 1}""", "engine has a value of the wrong type" },
        { """{"slots": "0-99", "targetNodeId": "{target}", "replace": "yes"}""", "replace has a value of the wrong type" },
        { "", "not valid JSON" },
        { $$"""{"slots": "{{new string('9', 5000)}}", "targetNodeId": "{target}"}""", "is out of range" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_start_request_is_a_400_problem_with_the_reason_and_changes_nothing(string body, string detail)
    {
        var (primaries, historyBefore) = (await Client.PrimariesAsync(), await HistoryTotalAsync());

        await MigrationsApiTests.AssertProblemAsync(await Client.PostJsonAsync("/api/migrations", await FillInAsync(body)), HttpStatusCode.BadRequest, detail);

        Assert.Equal(primaries, await Client.PrimariesAsync());
        Assert.Equal(historyBefore, await HistoryTotalAsync());
    }

    /// <summary>The slot-list grammar at the API's edge (preflight parses as a start does): what it refuses, quoting the bad part.</summary>
    [Theory]
    [InlineData("+5", "slots: \"+5\" is not a slot or a range of slots (digits 0-9, or a-b)")]
    [InlineData("-0", "slots: incomplete range \"-0\": a slot number is missing")]
    [InlineData("5 -9", "slots: \"5 -9\" is not a slot or a range of slots (digits 0-9, or a-b)")]
    [InlineData("1--2", "slots: \"1--2\" is not a slot or a range of slots (digits 0-9, or a-b)")]
    [InlineData("\u0663", "slots: \"\u0663\" is not a slot or a range of slots (digits 0-9, or a-b)")]
    [InlineData("16384", "slots: slot 16384 is out of range (0-16383)")]
    public async Task Preflight_refuses_a_slot_list_outside_the_grammar_quoting_the_bad_part(string slots, string detail)
    {
        var target = (await Client.PrimariesAsync())[1].Id;

        await MigrationsApiTests.AssertProblemAsync(
            await Client.PostJsonAsync("/api/migrations/preflight", $$"""{"slots": "{{slots}}", "targetNodeId": "{{target}}"}"""),
            HttpStatusCode.BadRequest, detail);
    }

    [Fact]
    public async Task Preflight_refuses_an_unknown_engine_with_a_400()
    {
        var target = (await Client.PrimariesAsync())[1].Id;

        await MigrationsApiTests.AssertProblemAsync(
            await Client.PostJsonAsync("/api/migrations/preflight", $$"""{"slots": "0", "targetNodeId": "{{target}}", "engine": "legacy"}"""),
            HttpStatusCode.BadRequest, "engine must be \"auto\", \"atomic\" or \"keys\", got \"legacy\"");
    }

    [Fact]
    public async Task Preflight_takes_16383_16383_and_spaces_around_items_as_the_slots_they_spell()
    {
        var primaries = await Client.PrimariesAsync();
        var owner = primaries.Single(p => SlotRangeSet.Parse(p.Slots).Contains(16383));
        var target = primaries.First(p => p.Id != owner.Id);

        using var response = await Client.PostJsonAsync("/api/migrations/preflight", $$"""{"slots": " 16383-16383 , 16382 ", "targetNodeId": "{{target.Id}}"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var job = Assert.Single(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("jobs").EnumerateArray());
        Assert.Equal("16382-16383", job.GetProperty("slots").GetString());
    }

    [Fact]
    public async Task A_body_that_is_not_JSON_is_a_415_problem()
    {
        var target = (await Client.PrimariesAsync())[1].Id;

        await MigrationsApiTests.AssertProblemAsync(
            await Client.PostJsonAsync("/api/migrations", $$"""{"slots": "0", "targetNodeId": "{{target}}"}""", contentType: "text/plain"),
            HttpStatusCode.UnsupportedMediaType, "the body must be JSON");
    }

    [Theory]
    [InlineData("page=0", "page must be a whole number")]
    [InlineData("page=abc", "page must be a whole number")]
    [InlineData("pageSize=1000", "pageSize must be a whole number from 1 to 200")]
    public async Task A_bad_history_page_is_a_400_problem(string query, string detail)
    {
        await MigrationsApiTests.AssertProblemAsync(await Client.GetAsync(new Uri($"/api/migrations?{query}", UriKind.Relative)), HttpStatusCode.BadRequest, detail);
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
        await fixture.RestoringAsync(
            async () =>
            {
                using var response = await Client.PostJsonAsync("/api/migrations", $$"""{"slots": "{{slot}}", "targetNodeId": "{{target.Id}}"}""");
                var text = await response.Content.ReadAsStringAsync();

                Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
                var problem = JsonDocument.Parse(text).RootElement;
                Assert.Equal("ERR Slots are being manually migrated", problem.GetProperty("valkeyError").GetString());
                Assert.Contains("Valkey refused", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
                Assert.Contains("ERR Slots are being manually migrated", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
                Assert.Equal(historyBefore, (await Client.GetJsonAsync("/api/migrations")).GetProperty("total").GetInt32());
                Assert.Equal(primaries, await Client.PrimariesAsync());
            },
            cleanup: () => sourceServer.ExecuteAsync("CLUSTER", "SETSLOT", slot, "STABLE"));
    }

    [Fact]
    public Task Slots_already_moving_are_a_409_naming_the_migration_that_holds_them() => fixture.RestoringAsync(async () =>
    {
        var primaries = await Client.PrimariesAsync();
        var source = primaries[2];
        var slot = MigrationsApiTests.LargestRangeStart(source.Slots);
        await using var valkey = await fixture.Factory.ConnectToClusterAsync();
        await using var hold = await MigrationHold.OnAsync(valkey.GetServer(source.Endpoint));
        using var held = await Client.PostJsonAsync("/api/migrations", $$"""{"slots": "{{slot}}-{{slot + 4}}", "targetNodeId": "{{primaries[0].Id}}"}""");
        Assert.Equal(HttpStatusCode.Accepted, held.StatusCode);
        var heldId = JsonDocument.Parse(await held.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;

        using var clash = await Client.PostJsonAsync("/api/migrations", $$"""{"slots": "{{slot + 2}}-{{slot + 8}}", "targetNodeId": "{{primaries[1].Id}}"}""");

        await MigrationsApiTests.AssertProblemAsync(clash, HttpStatusCode.Conflict, $"slots {slot + 2}-{slot + 4} are already moving in migration {heldId}");
    });
}
