using System.Globalization;
using System.Text.RegularExpressions;
using ValkeyDashboard.Cluster.Hosting;
using ValkeyDashboard.Cluster.Storage;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Hosting;

/// <summary>
/// One data folder for everything the dashboard writes, anchored to the content root; private to the dashboard's user
/// (tightened when an older version or a person left it open); refused when another user owns or may write it or a
/// secret in it.
/// </summary>
[Collection(OwnClustersCollection.Name)]
public partial class DataFolderTests
{
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Everything_goes_under_Dashboard_DataDirectory_resolved_from_the_content_root_not_the_working_directory()
    {
        var folder = TestDirectories.Create("content-root");
        try
        {
            var contentRoot = Directory.CreateDirectory(Path.Combine(folder, "app")).FullName;
            var workingDirectory = Directory.CreateDirectory(Path.Combine(folder, "elsewhere")).FullName;
            File.Copy(Path.Combine(Path.GetDirectoryName(ConsoleDashboard.BuiltDll)!, "appsettings.json"), Path.Combine(contentRoot, "appsettings.json"));

            await using (var dashboard = ConsoleDashboard.Start("dotnet",
                [
                    ConsoleDashboard.BuiltDll, "--contentRoot", contentRoot, "--urls", "http://127.0.0.1:0",
                    "--Dashboard:DataDirectory=state",
                    "--Valkey:Mode=External", $"--Valkey:External:Endpoints:0=127.0.0.1:{TestPorts.AllocateBlock(1).ToString(CultureInfo.InvariantCulture)}",
                ],
                workingDirectory))
            {
                await dashboard.WaitForLineAsync(NowListening(), Deadline);
                await dashboard.StopAsync();
            }

            var data = Path.Combine(contentRoot, "state");
            Assert.True(File.Exists(Path.Combine(data, "dashboard.db")), "the database is in <content root>/state");
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(data, "keys"), "key-*.xml"));
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(data, "logs"), "dashboard-*.log"));
            Assert.False(Directory.Exists(Path.Combine(data, "cluster")), "External mode makes no cluster folder");
            Assert.Empty(Directory.GetFileSystemEntries(workingDirectory));
            Assert.Equal(OwnerOnlyFolder, File.GetUnixFileMode(data));
        }
        finally
        {
            TestDirectories.Delete(folder);
        }
    }

    [Fact]
    public async Task Folders_and_files_open_to_other_users_are_tightened_at_start_and_the_log_says_so()
    {
        var folder = TestDirectories.Create("open-data");
        var logs = Directory.CreateDirectory(Path.Combine(folder, "logs")).FullName;
        var old = Path.Combine(folder, "left-by-an-older-version.txt");
        await File.WriteAllTextAsync(old, "x");
        File.SetUnixFileMode(folder, OwnerOnlyFolder | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(logs, OwnerOnlyFolder | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(old, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await using var factory = DashboardAppFactory.External([$"127.0.0.1:{TestPorts.AllocateBlock(1).ToString(CultureInfo.InvariantCulture)}"], folder);
        using var client = factory.CreateClient();

        Assert.Equal(OwnerOnlyFolder, File.GetUnixFileMode(folder));
        Assert.Equal(OwnerOnlyFolder, File.GetUnixFileMode(logs));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(old));
        var log = await ReadLogsAsync(logs);
        Assert.Contains($"Made 3 folder(s) and file(s) in the data folder {folder} readable by their owner only", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_outside_the_data_folder_is_made_private_without_touching_the_rest_of_its_folder()
    {
        var shared = TestDirectories.Create("shared");
        try
        {
            var other = Path.Combine(shared, "someone-elses-tool");
            await File.WriteAllTextAsync(other, "x");
            File.SetUnixFileMode(other, (UnixFileMode)0b111_111_111);
            var database = Path.Combine(shared, "dashboard.db");
            await File.WriteAllBytesAsync(database, []);
            File.SetUnixFileMode(database, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

            await using var factory = DashboardAppFactory.External([$"127.0.0.1:{TestPorts.AllocateBlock(1).ToString(CultureInfo.InvariantCulture)}"])
                .With("Dashboard:DatabasePath", database);
            using var client = factory.CreateClient();

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(database));
            Assert.Equal((UnixFileMode)0b111_111_111, File.GetUnixFileMode(other));
        }
        finally
        {
            TestDirectories.Delete(shared);
        }
    }

    [Fact]
    public async Task A_data_folder_another_user_owns_is_refused_at_start_with_the_reason()
    {
        var folder = TestDirectories.Create("foreign-data");
        FileOwners.GiveTo(folder);

        var refusal = await StartRefusedAsync(folder);

        Assert.Contains($"The data folder {folder} is owned by uid {FileOwners.OtherUser}, not by the dashboard's user", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_folder_other_users_may_write_is_refused_at_start_with_the_reason()
    {
        var folder = TestDirectories.Create("writable-data");
        File.SetUnixFileMode(folder, OwnerOnlyFolder | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);

        var refusal = await StartRefusedAsync(folder);

        Assert.Contains($"The data folder {folder} may be written by other users (mode 707)", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_protection_key_another_user_owns_is_refused_at_start()
    {
        var folder = TestDirectories.Create("foreign-key");
        var keys = Directory.CreateDirectory(Path.Combine(folder, "keys")).FullName;
        var planted = Path.Combine(keys, "key-00000000-0000-0000-0000-000000000001.xml");
        await File.WriteAllTextAsync(planted, "<key/>");
        FileOwners.GiveTo(planted);

        var refusal = await StartRefusedAsync(folder);

        Assert.Contains($"The data file {planted} is owned by uid {FileOwners.OtherUser}", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_key_ring_refuses_a_key_file_other_users_may_write_wherever_the_keys_are()
    {
        var keys = TestDirectories.Create("writable-key");
        try
        {
            var planted = Path.Combine(keys, "key-00000000-0000-0000-0000-000000000002.xml");
            await File.WriteAllTextAsync(planted, "<key/>");
            File.SetUnixFileMode(planted, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
            var repository = new TrustedXmlRepository(new DirectoryInfo(keys), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);

            var refusal = Assert.Throws<UntrustedPathException>(() => repository.GetAllElements());

            Assert.Contains($"The data-protection key {planted} may be written by other users", refusal.Message, StringComparison.Ordinal);
        }
        finally
        {
            TestDirectories.Delete(keys);
        }
    }

    [Theory]
    [InlineData(true, "is owned by uid 1654")]
    [InlineData(false, "may be written by other users (mode 606)")]
    public async Task An_embedded_password_file_another_user_owns_or_may_write_is_refused(bool otherOwner, string reason)
    {
        var folder = TestDirectories.Create("foreign-password");
        try
        {
            var password = EmbeddedPassword.PathIn(folder);
            await File.WriteAllTextAsync(password, "chosen-by-someone-else");
            if (otherOwner)
            {
                File.SetUnixFileMode(password, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                FileOwners.GiveTo(password);
            }
            else
            {
                File.SetUnixFileMode(password, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
            }

            var refusal = Assert.Throws<UntrustedPathException>(() => EmbeddedPassword.LoadOrCreate(folder));

            Assert.Contains($"The embedded cluster's password file {password} {reason}", refusal.Message, StringComparison.Ordinal);
        }
        finally
        {
            TestDirectories.Delete(folder);
        }
    }

    /// <summary>
    /// Starts the real dashboard (External, nothing listening) on <paramref name="folder"/>, which must refuse to start
    /// (exit code 1, before listening); what it printed.
    /// </summary>
    private static async Task<string> StartRefusedAsync(string folder)
    {
        try
        {
            await using var dashboard = ConsoleDashboard.Start("dotnet",
                [
                    ConsoleDashboard.BuiltDll, "--urls", "http://127.0.0.1:0", $"--Dashboard:DataDirectory={folder}",
                    "--Valkey:Mode=External", $"--Valkey:External:Endpoints:0=127.0.0.1:{TestPorts.AllocateBlock(1).ToString(CultureInfo.InvariantCulture)}",
                ],
                TestDirectories.RepositoryRoot());
            Assert.Equal(1, await dashboard.WaitForExitAsync(Deadline));
            Assert.DoesNotContain("Now listening", dashboard.Output, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(folder, "dashboard.db")), "nothing was written in the refused folder");
            return dashboard.Output;
        }
        finally
        {
            TestDirectories.Delete(folder);
        }
    }

    private static async Task<string> ReadLogsAsync(string folder)
    {
        var text = new List<string>();
        foreach (var file in Directory.GetFiles(folder, "dashboard-*.log"))
        {
            // Serilog keeps the file open for writing; share it.
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            text.Add(await reader.ReadToEndAsync());
        }

        return string.Join('\n', text);
    }

    [GeneratedRegex(@"Now listening on: \S+")]
    private static partial Regex NowListening();
}
