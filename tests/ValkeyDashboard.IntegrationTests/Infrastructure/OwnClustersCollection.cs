namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>Tests that start (and stop) clusters of their own, one test at a time, so no two of them compete for the machine.</summary>
[CollectionDefinition(Name)]
public sealed class OwnClustersCollection
{
    public const string Name = "tests that start their own clusters";
}
