namespace ValkeyDashboard.Cluster.Connections;

/// <summary>A fixed list of seed endpoints.</summary>
public sealed class StaticSeeds(IReadOnlyList<string> endpoints) : IClusterSeedSource
{
    public IReadOnlyList<string> GetSeedEndpoints() => endpoints;
}
