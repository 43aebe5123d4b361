using System.Net;
using System.Text.Json;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Api;

/// <summary>
/// One dashboard folder pointed at one cluster, then another, then the first again (hardening item 12): each cluster
/// sees only its own migration history and audit log, and the first one's comes back with it.
/// </summary>
[Collection(OwnClustersCollection.Name)]
public class ClusterHistoryTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Another_cluster_started_from_the_same_folder_shows_none_of_the_first_clusters_history_and_the_first_gets_it_back()
    {
        await using var first = await CliCluster.StartAsync(primaries: 3, replicasPerPrimary: 0, spares: 0);
        await using var second = await CliCluster.StartAsync(primaries: 3, replicasPerPrimary: 0, spares: 0);
        var folder = TestDirectories.Create("two-clusters");
        try
        {
            string migrationId;
            await using (var dashboard = Dashboard(first, folder))
            {
                using var client = dashboard.CreateClient();
                var primaries = await client.PrimariesAsync();
                using var started = await client.PostJsonAsync("/api/migrations", $$"""{"slots": "0", "targetNodeId": "{{primaries[1].Id}}"}""");
                Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
                migrationId = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
                await client.WaitForMigrationAsync(migrationId, m => m.GetProperty("state").GetString() == "succeeded", Deadline);
                Assert.NotEmpty(await AuditSubjectsAsync(client));
            }

            await using (var dashboard = Dashboard(second, folder))
            {
                using var client = dashboard.CreateClient();

                Assert.Equal(0, (await client.GetJsonAsync("/api/migrations")).GetProperty("total").GetInt32());
                using var missing = await client.GetAsync(new Uri($"/api/migrations/{migrationId}", UriKind.Relative));
                Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
                Assert.Equal(0, (await client.GetJsonAsync("/api/audit")).GetProperty("total").GetInt32());
            }

            await using (var dashboard = Dashboard(first, folder))
            {
                using var client = dashboard.CreateClient();

                var history = (await client.GetJsonAsync("/api/migrations")).GetProperty("items");
                Assert.Equal(migrationId, Assert.Single(history.EnumerateArray()).GetProperty("id").GetString());
                Assert.NotEmpty(await AuditSubjectsAsync(client));
            }
        }
        finally
        {
            TestDirectories.Delete(folder);
        }
    }

    private static DashboardAppFactory Dashboard(CliCluster cluster, string folder)
    {
        var dashboard = DashboardAppFactory.External(cluster.Endpoints, folder);
        dashboard.KeepData = true;
        return dashboard;
    }

    private static async Task<List<string>> AuditSubjectsAsync(HttpClient client) =>
        [.. (await client.GetJsonAsync("/api/audit")).GetProperty("items").EnumerateArray().Select(e => e.GetProperty("subject").GetString()!)];
}
