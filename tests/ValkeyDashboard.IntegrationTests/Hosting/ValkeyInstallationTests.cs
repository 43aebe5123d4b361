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
    public async Task The_private_copy_is_not_looked_for_above_the_repository_root()
    {
        var outer = TestDirectories.Create("tools-above");
        try
        {
            // A .tools folder anyone could create above a checkout (in /tmp, in a shared parent) must not choose the binaries.
            var planted = await PlantValkeyAsync(outer);
            var repository = Directory.CreateDirectory(Path.Combine(outer, "checkout")).FullName;
            await File.WriteAllTextAsync(Path.Combine(repository, "ValkeyDashboard.sln"), string.Empty);
            var inside = Directory.CreateDirectory(Path.Combine(repository, "src", "app")).FullName;

            var found = FindOrNull(inside);

            Assert.NotEqual(planted, found?.ServerPath);
        }
        finally
        {
            TestDirectories.Delete(outer);
        }
    }

    [Fact]
    public async Task Outside_a_repository_only_the_folder_itself_is_searched_and_a_copy_inside_the_repository_is_found()
    {
        var outer = TestDirectories.Create("tools-outside");
        try
        {
            var planted = await PlantValkeyAsync(outer);
            var published = Directory.CreateDirectory(Path.Combine(outer, "app")).FullName;
            var repository = Directory.CreateDirectory(Path.Combine(outer, "repo")).FullName;
            Directory.CreateDirectory(Path.Combine(repository, ".git"));
            var own = await PlantValkeyAsync(repository);

            Assert.NotEqual(planted, FindOrNull(published)?.ServerPath);
            Assert.Equal(own, ValkeyInstallation.Locate(null, [Directory.CreateDirectory(Path.Combine(repository, "src")).FullName]).ServerPath);
        }
        finally
        {
            TestDirectories.Delete(outer);
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

    /// <summary>A valkey-server in <paramref name="folder"/>/.tools/valkey/bin that says it is 9.9.9; its path.</summary>
    private static async Task<string> PlantValkeyAsync(string folder)
    {
        var bin = Directory.CreateDirectory(Path.Combine(folder, ValkeyInstallation.PrivateCopyFolder)).FullName;
        var server = Path.Combine(bin, "valkey-server");
        await File.WriteAllTextAsync(server, "#!/bin/sh\necho 'Valkey server v=9.9.9 sha=00000000:0 malloc=libc bits=64 build=1'\n");
        File.SetUnixFileMode(server, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return server;
    }

    /// <summary>What a lookup from <paramref name="start"/> finds (the private copy, else PATH), or null when nothing.</summary>
    private static ValkeyInstallation? FindOrNull(string start)
    {
        try
        {
            return ValkeyInstallation.Locate(null, [start]);
        }
        catch (ValkeyInstallationException)
        {
            return null;
        }
    }
}
