using ValkeyDashboard.Cluster.Concurrency;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>
/// A dashboard with an embedded 3×1 cluster of its own for the tests that stop, start and add nodes
/// (<see cref="NodesDashboardCollection"/>). Added nodes stay (the API cannot remove one); a test that stops a node starts
/// it again (<see cref="RestoringAsync"/>), and one that makes a replica take over fails back.
/// </summary>
public sealed class NodesDashboardFixture() : EmbeddedDashboardFixture(DashboardAppFactory.Embedded())
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>Runs a test's steps, then starts every node they left stopped and waits until all are online in an ok cluster.</summary>
    public Task RestoringAsync(Func<Task> steps) => TestCleanup.RunAsync(steps, StartStoppedNodesAsync);

    private async Task StartStoppedNodesAsync()
    {
        var stopped = (await Client.GetJsonAsync("/api/cluster")).GetProperty("nodes").EnumerateArray()
            .Where(n => n.GetProperty("health").GetString() != "online").Select(n => n.GetProperty("id").GetString()!).ToList();
        foreach (var id in stopped)
        {
            using var start = await Client.PostAsync(new Uri($"/api/nodes/{id}/start", UriKind.Relative), null);
        }

        await Wait.UntilAsync(
            async _ =>
            {
                var cluster = await Client.GetJsonAsync("/api/cluster");
                return cluster.GetProperty("state").GetString() == "ok" && cluster.GetProperty("nodes").EnumerateArray().All(n => n.GetProperty("health").GetString() == "online");
            },
            Deadline, "every node to be online in an ok cluster again", TimeSpan.FromMilliseconds(100));
    }
}

[CollectionDefinition(Name)]
public sealed class NodesDashboardCollection : ICollectionFixture<NodesDashboardFixture>
{
    public const string Name = "dashboard whose nodes are stopped, started and added";
}
