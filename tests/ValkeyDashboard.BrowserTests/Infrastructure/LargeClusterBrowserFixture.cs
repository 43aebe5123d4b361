using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.BrowserTests.Infrastructure;

/// <summary>
/// The dashboard in External mode on a cluster of 60 real nodes (30 primaries × 1 replica) formed by valkey-cli: the
/// browser tests of a large cluster, read every second as by default. The cluster is formed before the dashboard starts
/// and stopped after it.
/// </summary>
public sealed class LargeClusterBrowserFixture : DashboardBrowserFixture
{
    public const int Primaries = 30;

    public LargeClusterBrowserFixture()
        : this(CliCluster.StartAsync(primaries: Primaries, replicasPerPrimary: 1, spares: 0).GetAwaiter().GetResult())
    {
    }

    // xunit builds fixtures through a constructor: the cluster must exist before the dashboard pointed at it.
    private LargeClusterBrowserFixture(CliCluster cluster)
        : base(DashboardAppFactory.External(cluster.Endpoints).With("Valkey:PollInterval", "00:00:01")) => Cluster = cluster;

    /// <summary>The 60 nodes.</summary>
    public CliCluster Cluster { get; }

    public override async Task DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        finally
        {
            await Cluster.DisposeAsync();
        }
    }
}

/// <summary>The browser tests of the 60-node cluster.</summary>
[CollectionDefinition(Name)]
public sealed class LargeClusterBrowserCollection : ICollectionFixture<LargeClusterBrowserFixture>
{
    public const string Name = "a 60-node cluster in a browser";
}
