using System.Diagnostics;
using System.Globalization;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Api;

/// <summary>
/// Every settings section is checked when the dashboard starts: a wrong value stops it, with the setting named, before
/// it listens or asks any node. Run as the real process (what an operator starts), since a failed start ends it.
/// </summary>
public class ConfigurationValidationTests
{
    [Theory]
    [InlineData("Dashboard:Auth:Tokens:0:Token", "short", "Dashboard:Auth:Tokens:0:Token (ci) must be at least 16 characters")]
    [InlineData("Migrations:MaxConcurrentMigrations", "0", "MaxConcurrentMigrations")]
    [InlineData("Plans:MemoryHeadroom", "2", "MemoryHeadroom")]
    [InlineData("Dashboard:RateLimit:MutationsPerMinute", "0", "Dashboard:RateLimit:MutationsPerMinute must be between 1 and 1,000,000")]
    [InlineData("Valkey:RemoveGracePeriod", "01:00:00", "Valkey:RemoveGracePeriod must be between 0 and 5 minutes")]
    [InlineData("Valkey:Monitor:KeyCountSweepInterval", "00:00:00.100", "Valkey:Monitor:KeyCountSweepInterval must be between 1 second and 1 hour")]
    [InlineData("Valkey:Monitor:KeyCountBatchSize", "0", "Valkey:Monitor:KeyCountBatchSize must be between 1 and 16384")]
    [InlineData("Dashboard:Doctor:StalledMigrationAfter", "00:00:00", "Dashboard:Doctor:StalledMigrationAfter must be between 1 second and 7 days")]
    public Task A_wrong_setting_stops_the_start_and_names_the_setting(string key, string value, string message) =>
        AssertStartFailsAsync([$"--{key}={value}"], message);

    [Theory]
    [InlineData("Valkey:Clusters:0:Name=one;Valkey:Clusters:1:Name=one;Valkey:Clusters:1:Mode=External;Valkey:Clusters:1:Endpoints:0=127.0.0.1:1",
        "Valkey:Clusters:1:Name (\"one\") is already the name of Valkey:Clusters:0; names must be unique")]
    [InlineData("Valkey:Clusters:0:Name=Not_A_Name", "Valkey:Clusters:0:Name (\"Not_A_Name\") must be 1 to 63 lower-case letters, digits or '-'")]
    [InlineData("Valkey:Clusters:0:Name=one;Valkey:Clusters:0:Mode=Embedded;Valkey:Clusters:1:Name=two;Valkey:Clusters:1:Mode=Embedded",
        "Valkey:Clusters:1 (\"two\") is Embedded, and so is Valkey:Clusters:0 (\"one\"); at most one cluster may be Embedded")]
    [InlineData("Valkey:Clusters:0:Name=one;Dashboard:Auth:Tokens:0:Clusters:0=two",
        "Dashboard:Auth:Tokens:0:Clusters (ci) names \"two\", which is not a cluster; the clusters are: one")]
    [InlineData("Valkey:Clusters:0:Name=one;Valkey:Clusters:1:Name=two;Valkey:Clusters:1:Mode=External;Valkey:Clusters:1:Endpoints:0=127.0.0.1:1;Valkey:Clusters:1:PollInterval=00:00:00.010",
        "The settings of cluster \"two\" (Valkey:Clusters, laid over Valkey) are wrong: Valkey:PollInterval must be at least 100 ms.")]
    public Task A_wrong_cluster_list_stops_the_start_and_names_the_entry(string settings, string message) =>
        AssertStartFailsAsync([.. settings.Split(';').Select(s => $"--{s}")], message);

    [Fact]
    public Task A_tls_file_that_does_not_exist_stops_the_start_naming_the_full_path_from_the_content_root() =>
        AssertStartFailsAsync(
            ["--Valkey:Tls=true", "--Valkey:TlsCaFile=no-such-folder/ca.pem", $"--contentRoot={TestDirectories.RepositoryRoot()}"],
            $"Valkey:TlsCaFile names {Path.Combine(TestDirectories.RepositoryRoot(), "no-such-folder", "ca.pem")}, which does not exist (a relative path is taken from the content root).");

    private static async Task AssertStartFailsAsync(string[] settings, string message)
    {
        var folder = TestDirectories.Create("config");
        try
        {
            var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = TestDirectories.RepositoryRoot() };
            string[] arguments =
            [
                typeof(Program).Assembly.Location, "--urls", "http://127.0.0.1:0",
                "--Valkey:Mode=External", $"--Valkey:External:Endpoints:0=127.0.0.1:{TestPorts.AllocateBlock(1).ToString(CultureInfo.InvariantCulture)}",
                $"--Dashboard:DatabasePath={Path.Combine(folder, "dashboard.db")}", $"--Dashboard:LogDirectory={Path.Combine(folder, "logs")}",
                $"--Dashboard:KeysDirectory={Path.Combine(folder, "keys")}",
                "--Dashboard:Auth:Tokens:0:Name=ci", "--Dashboard:Auth:Tokens:0:Token=a-token-of-sixteen-characters", "--Dashboard:Auth:Tokens:0:Role=operator",
                .. settings,
            ];
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            try
            {
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }

            Assert.Equal(1, process.ExitCode);
            Assert.Contains(message, await output + await error, StringComparison.Ordinal);
            Assert.DoesNotContain("Now listening", await output, StringComparison.Ordinal);
        }
        finally
        {
            TestDirectories.Delete(folder);
        }
    }
}
