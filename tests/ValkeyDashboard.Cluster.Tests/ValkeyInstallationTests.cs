using ValkeyDashboard.Cluster.Hosting;

namespace ValkeyDashboard.Cluster.Tests;

public class ValkeyInstallationTests
{
    [Theory]
    [InlineData("Valkey server v=9.1.2 sha=00000000:0 malloc=jemalloc-5.3.1 bits=64 build=9108e8f1788612b", "9.1.2")]
    [InlineData("Valkey server v=8.0.1 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=1", "8.0.1")]
    [InlineData("Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=2", "7.0.15")]
    public void Version_is_read_from_the_version_banner(string banner, string expected)
    {
        Assert.Equal(Version.Parse(expected), ValkeyInstallation.ParseVersion(banner));
    }

    [Fact]
    public void Unknown_output_has_no_version()
    {
        Assert.Null(ValkeyInstallation.ParseVersion("command not found"));
    }
}
