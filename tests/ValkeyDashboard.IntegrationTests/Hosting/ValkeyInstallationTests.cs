using ValkeyDashboard.Cluster.Hosting;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Hosting;

/// <summary>Finding the Valkey binaries, and refusing the ones that cannot run the embedded cluster.</summary>
[Collection(OwnClustersCollection.Name)]
public class ValkeyInstallationTests
{
    [Fact]
    public void The_binaries_used_here_are_Valkey_9_or_newer()
    {
        var installation = ValkeyInstallation.Locate(null);

        Assert.True(installation.Version >= new Version(9, 0), $"found {installation.Version} at {installation.ServerPath}");
        Assert.True(File.Exists(installation.ServerPath));
    }

    [Fact]
    public async Task A_binary_older_than_9_is_refused_with_its_version_in_the_message()
    {
        var directory = TestDirectories.Create("old-valkey");
        try
        {
            var fake = Path.Combine(directory, "valkey-server");
            await File.WriteAllTextAsync(fake, "#!/bin/sh\necho 'Valkey server v=8.0.1 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=1'\n");
            File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

            var options = EmbeddedCluster.CreateOptions();
            options.BinaryDirectory = directory;
            var ex = await Assert.ThrowsAsync<ValkeyInstallationException>(() => EmbeddedCluster.StartAsync(options));

            Assert.Contains("8.0.1", ex.Message, StringComparison.Ordinal);
            Assert.Contains("9.0", ex.Message, StringComparison.Ordinal);
            Assert.Contains("eng/get-valkey.sh", ex.Message, StringComparison.Ordinal);
            Assert.Empty(ValkeyProcesses.Find(options.Embedded.DataDirectory));
            TestDirectories.Delete(options.Embedded.DataDirectory);
        }
        finally
        {
            TestDirectories.Delete(directory);
        }
    }

    [Fact]
    public void A_configured_folder_without_valkey_server_is_refused_with_the_folder_named()
    {
        var directory = TestDirectories.Create("no-valkey");
        try
        {
            var ex = Assert.Throws<ValkeyInstallationException>(() => ValkeyInstallation.Locate(directory));

            Assert.Contains(directory, ex.Message, StringComparison.Ordinal);
            Assert.Contains("has no valkey-server", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            TestDirectories.Delete(directory);
        }
    }
}
