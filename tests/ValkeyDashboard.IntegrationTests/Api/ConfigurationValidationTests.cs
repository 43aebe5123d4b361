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
    public async Task A_wrong_setting_stops_the_start_and_names_the_setting(string key, string value, string message)
    {
        var folder = TestDirectories.Create("config");
        try
        {
            var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = TestDirectories.RepositoryRoot() };
            foreach (var argument in new[]
            {
                typeof(Program).Assembly.Location, "--urls", "http://127.0.0.1:0",
                "--Valkey:Mode=External", $"--Valkey:External:Endpoints:0=127.0.0.1:{TestPorts.AllocateBlock(1).ToString(CultureInfo.InvariantCulture)}",
                $"--Dashboard:DatabasePath={Path.Combine(folder, "dashboard.db")}", $"--Dashboard:LogDirectory={Path.Combine(folder, "logs")}",
                $"--Dashboard:KeysDirectory={Path.Combine(folder, "keys")}",
                "--Dashboard:Auth:Tokens:0:Name=ci", "--Dashboard:Auth:Tokens:0:Token=a-token-of-sixteen-characters", "--Dashboard:Auth:Tokens:0:Role=operator",
                $"--{key}={value}",
            })
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
