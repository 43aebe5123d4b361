using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Api;

/// <summary>
/// Where the dashboard listens is set the standard ways (what a user or a container platform sets first), and
/// <c>http://127.0.0.1:5000</c> is only the default when none is given. Run as the real process: the address is the
/// host's own choice at start.
/// </summary>
[Collection(OwnClustersCollection.Name)]
public partial class ListenAddressTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ASPNETCORE_URLS_is_where_it_listens()
    {
        var address = await ListeningAddressAsync([], new Dictionary<string, string?> { ["ASPNETCORE_URLS"] = "http://127.0.0.1:0" });

        AssertLoopbackWithPickedPort(address);
    }

    [Fact]
    public async Task The_urls_argument_is_where_it_listens()
    {
        var address = await ListeningAddressAsync(["--urls", "http://127.0.0.1:0"], new Dictionary<string, string?>());

        AssertLoopbackWithPickedPort(address);
    }

    [Fact]
    public async Task ASPNETCORE_HTTP_PORTS_is_where_it_listens_as_in_a_container()
    {
        var address = await ListeningAddressAsync([], new Dictionary<string, string?> { ["ASPNETCORE_HTTP_PORTS"] = "0" });

        // Every interface, as the .NET images mean it; the port is the one Kestrel picked for 0.
        Assert.Matches(@"^http://(\[::\]|0\.0\.0\.0|\*|\+):\d+$", address);
        Assert.NotEqual("5000", address.Split(':')[^1]);
    }

    [Theory]
    [InlineData(null, null, null, false)]
    [InlineData("urls", "http://0.0.0.0:8080", null, true)]
    [InlineData("http_ports", "8080", null, true)]
    [InlineData("https_ports", "8443", null, true)]
    [InlineData("Kestrel:Endpoints:Http:Url", "http://0.0.0.0:8080", null, true)]
    [InlineData("http_ports", "", "an empty variable gives nothing", false)]
    public void The_default_address_is_used_only_when_none_is_given(string? key, string? value, string? why, bool given)
    {
        var settings = new Dictionary<string, string?>();
        if (key is not null)
        {
            settings[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

        Assert.True(given == ListenAddressExtensions.IsAddressGiven(configuration), why ?? $"{key}={value}");
    }

    [Fact]
    public async Task With_no_address_given_it_listens_on_loopback_port_5000()
    {
        await using var dashboard = StartDashboard([], new Dictionary<string, string?>(), out var folder);
        try
        {
            // Port 5000 may be taken on this machine (a developer's own dashboard): then the failure names the address it tried.
            var line = await dashboard.WaitForLineAsync(ListeningOrBindFailure(), Deadline);

            Assert.Contains("127.0.0.1:5000", line.Value, StringComparison.Ordinal);
        }
        finally
        {
            await dashboard.StopAsync();
            TestDirectories.Delete(folder);
        }
    }

    private static void AssertLoopbackWithPickedPort(string address)
    {
        var uri = new Uri(address);
        Assert.Equal("127.0.0.1", uri.Host);
        Assert.NotEqual(5000, uri.Port);
    }

    private static async Task<string> ListeningAddressAsync(string[] arguments, Dictionary<string, string?> environment)
    {
        await using var dashboard = StartDashboard(arguments, environment, out var folder);
        try
        {
            return (await dashboard.WaitForLineAsync(NowListening(), Deadline)).Groups["address"].Value;
        }
        finally
        {
            await dashboard.StopAsync();
            TestDirectories.Delete(folder);
        }
    }

    /// <summary>The built dashboard in External mode against a port where nothing answers (it starts anyway), its files in a scratch folder.</summary>
    private static ConsoleDashboard StartDashboard(string[] arguments, Dictionary<string, string?> environment, out string folder)
    {
        folder = TestDirectories.Create("listen");
        // Whatever the test process has: only what the test sets may name an address.
        foreach (var inherited in new[] { "ASPNETCORE_URLS", "DOTNET_URLS", "URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_HTTP_PORTS" })
        {
            environment.TryAdd(inherited, null);
        }

        return ConsoleDashboard.Start("dotnet",
            [
                ConsoleDashboard.BuiltDll, .. arguments,
                "--Valkey:Mode=External", $"--Valkey:External:Endpoints:0=127.0.0.1:{TestPorts.AllocateBlock(1).ToString(CultureInfo.InvariantCulture)}",
                $"--Dashboard:DataDirectory={folder}",
            ],
            TestDirectories.RepositoryRoot(), environment);
    }

    [GeneratedRegex(@"Now listening on: (?<address>\S+)")]
    private static partial Regex NowListening();

    [GeneratedRegex(@"Now listening on: \S+|Failed to bind to address \S+")]
    private static partial Regex ListeningOrBindFailure();
}
