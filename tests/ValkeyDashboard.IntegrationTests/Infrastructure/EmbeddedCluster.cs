using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Hosting;
using ValkeyDashboard.Cluster.Monitoring;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>
/// A real embedded cluster for tests: a <see cref="LocalClusterHost"/> on ports from this assembly's
/// range with data in a scratch folder, plus the dashboard's connection and monitor over it and a plain
/// cluster client for test data. Disposing stops every node and deletes the folder.
/// </summary>
public sealed class EmbeddedCluster : IAsyncDisposable
{
    private EmbeddedCluster(ValkeyOptions options, LocalClusterHost host)
    {
        Options = options;
        Host = host;
        Connection = new ValkeyConnection(Microsoft.Extensions.Options.Options.Create(options), host, TestLogging.Factory.CreateLogger<ValkeyConnection>());
        Admin = new ValkeyAdminClient(Connection);
        Monitor = new ClusterMonitor(Admin, host, Microsoft.Extensions.Options.Options.Create(options), TestLogging.Factory.CreateLogger<ClusterMonitor>());
    }

    public ValkeyOptions Options { get; }

    /// <summary><see cref="Options"/> as the services take them.</summary>
    public IOptions<ValkeyOptions> ValkeyOptions => Microsoft.Extensions.Options.Options.Create(Options);

    public LocalClusterHost Host { get; }

    /// <summary>Raw commands to one node, for tests that create the states they check.</summary>
    public ValkeyConnection Connection { get; }

    /// <summary>The dashboard's typed client over <see cref="Connection"/>.</summary>
    public ValkeyAdminClient Admin { get; }

    public ClusterMonitor Monitor { get; }

    public string DataDirectory => Host.DataDirectory;

    /// <summary>Options for a test cluster: fresh ports and folder, fast polling and failure detection.</summary>
    public static ValkeyOptions CreateOptions(int primaries = 3, int replicasPerPrimary = 1, string? dataDirectory = null) => new()
    {
        Mode = ValkeyMode.Embedded,
        PollInterval = TimeSpan.FromMilliseconds(250),
        Embedded = new EmbeddedClusterOptions
        {
            Primaries = primaries,
            ReplicasPerPrimary = replicasPerPrimary,
            BasePort = TestPorts.AllocateBlock(primaries * (1 + replicasPerPrimary) + 4),
            DataDirectory = dataDirectory ?? TestDirectories.Create("cluster"),
            NodeTimeoutMilliseconds = 2000,
        },
    };

    /// <summary>Starts (forms or restarts) the cluster and the monitor.</summary>
    public static async Task<EmbeddedCluster> StartAsync(ValkeyOptions options)
    {
        var host = new LocalClusterHost(Microsoft.Extensions.Options.Options.Create(options), TestLogging.Factory);
        var cluster = new EmbeddedCluster(options, host);
        try
        {
            await host.StartAsync();
            await cluster.Monitor.StartAsync(CancellationToken.None);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync(deleteData: true);
            throw;
        }
    }

    /// <summary>A cluster client as an application would use it.</summary>
    public Task<ConnectionMultiplexer> ConnectClientAsync() =>
        ConnectionMultiplexer.ConnectAsync(ValkeyConnection.CreateConfiguration(Options, Host.GetSeedEndpoints()));

    /// <summary>Sends a command to one node.</summary>
    public Task<RedisResult> ExecuteAsync(int port, string command, params object[] args) =>
        Connection.ExecuteAsync($"127.0.0.1:{port}", command, args);

    public ValueTask DisposeAsync() => DisposeAsync(deleteData: true);

    /// <summary>Stops the monitor and every node; keeps the data folder when <paramref name="deleteData"/> is false (restart tests).</summary>
    public async ValueTask DisposeAsync(bool deleteData)
    {
        await Monitor.DisposeAsync();
        await Admin.DisposeAsync();
        await Connection.DisposeAsync();
        await Host.DisposeAsync();
        if (deleteData)
        {
            TestDirectories.Delete(DataDirectory);
        }
    }
}
