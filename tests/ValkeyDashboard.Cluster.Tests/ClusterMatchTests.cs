using ValkeyDashboard.Cluster.Storage;

namespace ValkeyDashboard.Cluster.Tests;

public class ClusterMatchTests
{
    private static readonly ClusterMatch.KnownCluster A = new("a", ["n1", "n2", "n3"]);
    private static readonly ClusterMatch.KnownCluster B = new("b", ["n7", "n8", "n9"]);

    [Theory]
    [InlineData("n1 n2 n3", "a")]
    [InlineData("n9", "b")]
    [InlineData("n3 n4 n5", "a")] // nodes were added and removed: one left in common is enough
    [InlineData("n4 n5 n6", null)] // nothing in common: another cluster
    [InlineData("n1 n7 n8", "b")] // the one sharing the most
    public void A_cluster_is_the_known_one_that_shares_the_most_node_ids(string seen, string? expected)
    {
        Assert.Equal(expected, ClusterMatch.Find([A, B], seen.Split(' ')));
    }

    [Fact]
    public void On_a_tie_the_most_recently_seen_wins()
    {
        Assert.Equal("b", ClusterMatch.Find([B, A], ["n1", "n7"]));
    }

    [Fact]
    public void With_no_known_cluster_there_is_no_match()
    {
        Assert.Null(ClusterMatch.Find([], ["n1"]));
    }
}
