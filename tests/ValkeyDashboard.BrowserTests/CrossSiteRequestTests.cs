using System.Text.Json;
using ValkeyDashboard.BrowserTests.Infrastructure;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.BrowserTests;

/// <summary>
/// With sign-in off (how the browser tests' dashboard runs, on loopback), a page of another site on another loopback
/// port, in real Chromium, cannot reach the dashboard: its WebSockets to the hub and to Blazor are refused, its no-cors
/// POSTs and credentialed fetches change nothing, and it cannot frame the dashboard.
/// </summary>
[Collection(DashboardBrowserCollection.Name)]
public sealed class CrossSiteRequestTests(DashboardBrowserFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public Task A_page_of_another_site_can_neither_read_nor_change_the_cluster() => ScreenshotOnFailureAsync(async () =>
    {
        using var api = Fixture.Dashboard.CreateClient();
        var before = await CrossSiteChecks.StateAsync(api);
        await using var attacker = await CrossSitePage.StartAsync(Fixture.BaseUrl, before.ReplicaId, before.OtherPrimaryId, before.LatestMigrationId);

        var outcome = await attacker.AttackAsync(Page);

        CrossSiteChecks.AssertRefused(outcome);
        Assert.Equal(before, await CrossSiteChecks.StateAsync(api));
    });
}

/// <summary>What both cross-site tests check: the cluster, audit and history as they were, and every attempt refused.</summary>
internal static class CrossSiteChecks
{
    public static void AssertRefused(CrossSiteOutcome outcome)
    {
        Assert.Equal("error", outcome.Hub);
        Assert.Equal("error", outcome.Blazor);
        Assert.Equal("blocked", outcome.Read);
        Assert.Equal(0, outcome.NodeCardsInFrames);
    }

    /// <summary>
    /// The cluster as the API sees it (every node's health and slots), how many audit entries and migrations there are,
    /// and ids for the page to aim at: a replica (else the last node) to stop, a primary to move slots to, the newest migration.
    /// </summary>
    public static async Task<ClusterState> StateAsync(HttpClient api)
    {
        var cluster = await api.GetJsonAsync("/api/cluster");
        var nodes = cluster.GetProperty("nodes").EnumerateArray().ToList();
        var migrations = await api.GetJsonAsync("/api/migrations?pageSize=1");
        return new ClusterState(
            string.Join("; ", nodes.Select(n => $"{n.GetProperty("id").GetString()} {n.GetProperty("health").GetString()} {n.GetProperty("slots").GetRawText()}").Order()),
            (await api.GetJsonAsync("/api/audit")).GetProperty("total").GetInt32(),
            migrations.GetProperty("total").GetInt32(),
            (nodes.FirstOrDefault(n => n.GetProperty("role").GetString() == "replica") is { ValueKind: JsonValueKind.Object } replica ? replica : nodes[^1]).GetProperty("id").GetString()!,
            nodes.Last(n => n.GetProperty("role").GetString() == "primary").GetProperty("id").GetString()!,
            migrations.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("id").GetString()).FirstOrDefault() ?? "0123456789abcdef");
    }

    public sealed record ClusterState(string Nodes, int AuditEntries, int Migrations, string ReplicaId, string OtherPrimaryId, string LatestMigrationId);
}
