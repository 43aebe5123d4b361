using ValkeyDashboard.IntegrationTests.Infrastructure;
using static ValkeyDashboard.IntegrationTests.Infrastructure.DoctorClusterFixture;

namespace ValkeyDashboard.IntegrationTests.Doctor;

/// <summary>
/// A Valkey 8.0 node joined to the doctor's Valkey 9 cluster with CLUSTER MEET is found as <c>mixed-versions</c> naming
/// both versions; once it is gone the doctor's failed-node fix forgets it on every node and nothing is left.
/// </summary>
[Collection(DoctorClusterCollection.Name)]
public class MixedVersionsTests(DoctorClusterFixture fixture)
{
    [Fact]
    public async Task A_valkey_8_node_in_a_valkey_9_cluster_is_named_with_both_versions_and_forgotten_once_gone()
    {
        await fixture.WaitForHealthyAsync();
        var older = await CliCluster.StartAsync(primaries: 0, replicasPerPrimary: 0, spares: 1, ServerKind.Valkey8);
        var olderEndpoint = older.SpareEndpoints[0];
        var olderId = (await older.CliAsync("-p", olderEndpoint.Split(':')[1], "CLUSTER", "MYID")).Trim();

        await TestCleanup.RunAsync(
            async () =>
            {
                await fixture.CliAsync(fixture.Cluster.Endpoints[0], "CLUSTER", "MEET", "127.0.0.1", olderEndpoint.Split(':')[1]);

                var finding = (await fixture.WaitForFindingsAsync(f => f.Any(x => Kind(x) == "mixed-versions"), "the Valkey 8.0 node among Valkey 9 ones"))
                    .Single(x => Kind(x) == "mixed-versions");
                Assert.Equal("warning", finding.GetProperty("severity").GetString());
                Assert.Contains(olderId, NodeIds(finding));
                Assert.Equal(fixture.Cluster.Endpoints.Count + 1, NodeIds(finding).Count);
                var message = finding.GetProperty("message").GetString()!;
                Assert.Contains($"Valkey {ServerKind.Valkey8.ReadVersion()} on {olderEndpoint}", message, StringComparison.Ordinal);
                Assert.Contains($"Valkey {ServerKind.Valkey9.ReadVersion()} on {string.Join(", ", fixture.Cluster.Endpoints.Order(StringComparer.Ordinal))}", message, StringComparison.Ordinal);

                // The node leaves for good: the cluster marks it failed, and the doctor's fix forgets it everywhere.
                await older.DisposeAsync();
                var failed = (await fixture.WaitForFindingsAsync(f => f.Any(x => Kind(x) == "failed-node"), "the departed Valkey 8.0 node failed"))
                    .Single(x => Kind(x) == "failed-node");
                Assert.Equal([olderId], NodeIds(failed));
                await fixture.PostOkAsync($"/api/doctor/fixes/{failed.GetProperty("fix").GetProperty("id").GetString()}");

                await fixture.WaitForHealthyAsync();
                foreach (var endpoint in fixture.Cluster.Endpoints)
                {
                    Assert.DoesNotContain(olderId, await fixture.CliAsync(endpoint, "CLUSTER", "NODES"), StringComparison.Ordinal);
                }
            },
            cleanup: async () =>
            {
                await older.DisposeAsync();
                foreach (var endpoint in fixture.Cluster.Endpoints)
                {
                    if ((await fixture.CliAsync(endpoint, "CLUSTER", "NODES")).Contains(olderId, StringComparison.Ordinal))
                    {
                        await fixture.CliAsync(endpoint, "CLUSTER", "FORGET", olderId);
                    }
                }

                await fixture.WaitForHealthyAsync();
            });
    }
}
