using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Hosting;
using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Hosting;

/// <summary>The embedded cluster protects itself: loopback only, a password generated once and kept owner-readable.</summary>
[Collection(DashboardAppCollection.Name)]
public class EmbeddedClusterSecurityTests(DashboardAppFixture fixture)
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private ValkeyOptions Options => fixture.Factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ValkeyOptions>>().Value;

    private LocalClusterHost Host => fixture.Factory.Services.GetRequiredService<LocalClusterHost>();

    [Fact]
    public void Without_a_configured_password_one_is_generated_and_kept_in_an_owner_only_file()
    {
        var passwordFile = EmbeddedPassword.PathIn(Host.DataDirectory);

        Assert.True(File.Exists(passwordFile), $"{passwordFile} is missing");
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(passwordFile));
        Assert.Equal(Options.Password, File.ReadAllText(passwordFile).Trim());
        Assert.True(Options.Password!.Length >= 40, "the generated password is long");
    }

    [Fact]
    public void The_generated_password_is_the_same_when_read_again_at_the_next_start()
    {
        Assert.Equal(Options.Password, EmbeddedPassword.LoadOrCreate(Host.DataDirectory));
    }

    [Fact]
    public async Task Every_node_refuses_a_client_that_did_not_authenticate()
    {
        foreach (var node in Host.Nodes)
        {
            Assert.StartsWith("-NOAUTH", await SendWithoutPasswordAsync(node.Port, "PING"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_node_configs_that_hold_the_password_are_owner_only()
    {
        var configs = Directory.GetFiles(Host.DataDirectory, "*.conf", SearchOption.AllDirectories).Where(f => !f.EndsWith("nodes.conf", StringComparison.Ordinal)).ToList();

        Assert.Equal(Host.Nodes.Length, configs.Count);
        Assert.All(configs, f => Assert.Equal(OwnerOnly, File.GetUnixFileMode(f)));
    }

    [Fact]
    public void Every_folder_and_file_the_dashboard_and_its_nodes_wrote_is_readable_by_their_owner_only()
    {
        var root = fixture.Factory.DataDirectory;
        var entries = Directory.GetFileSystemEntries(root, "*", SearchOption.AllDirectories).Append(root).ToList();
        // What Valkey writes itself (AOF, nodes.conf, valkey.log) and what the dashboard writes (database, keys, logs).
        Assert.Contains(entries, e => e.EndsWith("nodes.conf", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.EndsWith("valkey.log", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Contains("appendonly", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.EndsWith("dashboard.db", StringComparison.Ordinal));

        var open = entries
            .Select(e => (Path: e, Mode: File.GetUnixFileMode(e), IsFolder: Directory.Exists(e)))
            .Where(e => e.IsFolder ? e.Mode != (OwnerOnly | UnixFileMode.UserExecute) : (e.Mode & ~(OwnerOnly | UnixFileMode.UserExecute)) != 0)
            .Select(e => $"{e.Path} {Convert.ToString((int)e.Mode, 8)}")
            .ToList();
        Assert.True(open.Count == 0, "open to other users: " + string.Join(", ", open));
    }

    [Fact]
    public async Task Every_node_binds_loopback_only()
    {
        await using var valkey = await fixture.Factory.ConnectToClusterAsync();
        foreach (var node in Host.Nodes)
        {
            var bind = await valkey.GetServer(node.Endpoint).ExecuteAsync("CONFIG", "GET", "bind");
            Assert.Equal("127.0.0.1", ((string[])bind!)[1]);
        }
    }

    /// <summary>One inline command on a fresh connection that never authenticated; the reply's first line.</summary>
    private static async Task<string> SendWithoutPasswordAsync(int port, string command)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"));
        var buffer = new byte[512];
        var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        return Encoding.ASCII.GetString(buffer, 0, read).TrimEnd();
    }
}
