using System.Net;
using ValkeyDashboard.IntegrationTests.Api;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Plans;

/// <summary>A plan request that can never work is a 400 problem that says why and starts nothing.</summary>
[Collection(PlansCollection.Name)]
public class PlanRequestTests(PlansFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Bad_plan_requests_are_400_problems_that_say_why_and_start_nothing()
    {
        var primaries = await Client.PrimariesAsync();
        var replica = (await Client.GetJsonAsync("/api/cluster")).GetProperty("nodes").EnumerateArray().First(n => n.GetProperty("role").GetString() == "replica").GetProperty("id").GetString();
        var plansBefore = (await Client.GetJsonAsync("/api/plans")).GetProperty("total").GetInt32();
        var cases = new (string Body, string Detail)[]
        {
            ("""{"metric": "keys"}""", "kind must be \"rebalance\" or \"drain\""),
            ("""{"kind": "shuffle"}""", "kind must be"),
            ("""{"kind": "1"}""", "kind must be"),
            ("""{"kind": "rebalance", "metric": "colour"}""", "metric must be"),
            ("""{"kind": "rebalance", "threshold": 0.7}""", "threshold must be between 0 and 0.5"),
            ("""{"kind": "rebalance", "threshold": -0.1}""", "threshold must be between 0 and 0.5"),
            ($$$"""{"kind": "rebalance", "weights": {"{{{primaries[0].Id}}}": -1}}""", "must be 0 or more"),
            ("""{"kind": "rebalance", "weights": {"0000000000000000000000000000000000000000": 2}}""", "is not a node of this cluster"),
            ($$$"""{"kind": "rebalance", "weights": {"{{{replica}}}": 2}}""", "is a replica"),
            ("""{"kind": "drain"}""", "a drain needs the ids of the primaries to empty"),
            ($$"""{"kind": "drain", "nodeIds": ["{{replica}}"]}""", "is a replica"),
            ($$"""{"kind": "drain", "nodeIds": [{{string.Join(", ", primaries.Select(p => $"\"{p.Id}\""))}}]}""", "would leave no online primary"),
            ($$"""{"kind": "rebalance", "nodeIds": ["{{primaries[0].Id}}"]}""", "only for a drain"),
            ("""{"kind": "drain", "nodeIds": [""]}""", "not empty strings"),
            ("""{"kind": "rebalance", "weights": {"a": "heavy"}}""", "weights.a has a value of the wrong type"),
            ("""{"kind": "rebalance", "threshold": "small"}""", "threshold has a value of the wrong type"),
        };

        foreach (var (body, detail) in cases)
        {
            await MigrationsApiTests.AssertProblemAsync(await Client.PostJsonAsync("/api/plans/preview", body), HttpStatusCode.BadRequest, detail);
            await MigrationsApiTests.AssertProblemAsync(await Client.PostJsonAsync("/api/plans", body), HttpStatusCode.BadRequest, detail);
        }

        Assert.Equal(plansBefore, (await Client.GetJsonAsync("/api/plans")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task An_unknown_plan_is_a_404_and_a_finished_one_cannot_be_paused()
    {
        await MigrationsApiTests.AssertProblemAsync(await Client.GetAsync(new Uri("/api/plans/nope", UriKind.Relative)), HttpStatusCode.NotFound, "there is no plan nope");
        await MigrationsApiTests.AssertProblemAsync(await Client.PostAsync(new Uri("/api/plans/nope/pause", UriKind.Relative), null), HttpStatusCode.NotFound, "there is no plan nope");

        // Within 50% of even by slot count whatever the other tests moved: the plan has nothing to do and ends at once.
        using var response = await Client.PostJsonAsync("/api/plans", """{"kind": "rebalance", "metric": "slots", "threshold": 0.5}""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var plan = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("succeeded", plan.GetProperty("state").GetString());
        Assert.Empty(plan.GetProperty("moves").EnumerateArray());
        Assert.Contains(plan.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.StartsWith("nothing to move", StringComparison.Ordinal));

        var id = plan.GetProperty("id").GetString();
        await MigrationsApiTests.AssertProblemAsync(await Client.PostAsync(new Uri($"/api/plans/{id}/pause", UriKind.Relative), null), HttpStatusCode.Conflict, "only a running plan can be paused");
        await MigrationsApiTests.AssertProblemAsync(await Client.PostAsync(new Uri($"/api/plans/{id}/cancel", UriKind.Relative), null), HttpStatusCode.Conflict, "only a running or paused plan can be cancelled");
    }
}
