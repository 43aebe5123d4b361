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

    [Fact]
    public async Task Without_a_configured_password_the_nodes_require_a_generated_one_kept_owner_readable()
    {
        var options = fixture.Factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ValkeyOptions>>().Value;
        var host = fixture.Factory.Services.GetRequiredService<LocalClusterHost>();
        var passwordFile = EmbeddedPassword.PathIn(host.DataDirectory);

        Assert.True(File.Exists(passwordFile), $"{passwordFile} is missing");
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(passwordFile));
        Assert.Equal(options.Password, (await File.ReadAllTextAsync(passwordFile)).Trim());
        Assert.True(options.Password!.Length >= 40, "the generated password is long");
        // Read again (as on the next start), it stays the same.
        Assert.Equal(options.Password, EmbeddedPassword.LoadOrCreate(host.DataDirectory));

        foreach (var node in host.Nodes)
        {
            Assert.StartsWith("-NOAUTH", await SendWithoutPasswordAsync(node.Port, "PING"), StringComparison.Ordinal);
            var config = Directory.GetFiles(Path.Combine(host.DataDirectory), "*.conf", SearchOption.AllDirectories).Where(f => !f.EndsWith("nodes.conf", StringComparison.Ordinal));
            Assert.All(config, f => Assert.Equal(OwnerOnly, File.GetUnixFileMode(f)));
        }

        await using var valkey = await fixture.Factory.ConnectToClusterAsync();
        foreach (var node in host.Nodes)
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
