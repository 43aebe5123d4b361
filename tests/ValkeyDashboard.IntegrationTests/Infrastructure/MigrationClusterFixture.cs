namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>One cluster with keys shared by the migration tests; each test picks slots from the current ownership.</summary>
public sealed class MigrationClusterFixture : IAsyncLifetime
{
    public MigrationCluster Migrations { get; private set; } = null!;

    public async Task InitializeAsync() => Migrations = await MigrationCluster.StartAsync();

    public async Task DisposeAsync()
    {
        if (Migrations is not null)
        {
            await Migrations.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class MigrationClusterCollection : ICollectionFixture<MigrationClusterFixture>
{
    public const string Name = "migration cluster";
}
