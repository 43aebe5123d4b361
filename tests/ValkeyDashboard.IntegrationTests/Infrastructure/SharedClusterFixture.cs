namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>One 3-primary, 3-replica cluster shared by every test of the collection; tests put back what they change.</summary>
public sealed class SharedClusterFixture : IAsyncLifetime
{
    public EmbeddedCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await EmbeddedCluster.StartAsync(EmbeddedCluster.CreateOptions());

    public async Task DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SharedClusterCollection : ICollectionFixture<SharedClusterFixture>
{
    public const string Name = "shared embedded cluster";
}
