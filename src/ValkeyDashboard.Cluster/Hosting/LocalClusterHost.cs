using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Connections;

namespace ValkeyDashboard.Cluster.Hosting;

/// <summary>
/// Hosts the embedded cluster: real <c>valkey-server</c> processes on loopback that this host starts,
/// forms into a cluster on first start, brings back from their data folder on later starts, and stops
/// when it stops (including on process exit). Nodes can be stopped, started, restarted and added.
/// </summary>
public sealed partial class LocalClusterHost : IClusterSeedSource, IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    private readonly ValkeyOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger<LocalClusterHost> _logger;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly List<LocalNode> _nodes = [];
    private ClusterLayout? _layout;
    private bool _processExitHooked;
    private int _disposed;

    public LocalClusterHost(IOptions<ValkeyOptions> options, ILoggerFactory loggerFactory)
    {
        _options = options.Value;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<LocalClusterHost>();
        DataDirectory = Path.GetFullPath(_options.Embedded.DataDirectory ?? throw new InvalidOperationException("Valkey:Embedded:DataDirectory is not resolved"));
    }

    /// <summary>Absolute path of the data folder.</summary>
    public string DataDirectory { get; }

    /// <summary>The Valkey binaries in use, once started.</summary>
    public ValkeyInstallation? Installation { get; private set; }

    /// <summary>Every node this host manages, running or not.</summary>
    public ImmutableArray<LocalNode> Nodes
    {
        get
        {
            lock (_nodes)
            {
                return [.. _nodes];
            }
        }
    }

    private EmbeddedClusterOptions Embedded => _options.Embedded;

    private NodeSettings Settings => new(Embedded.NodeTimeoutMilliseconds, _options.Password);

    public IReadOnlyList<string> GetSeedEndpoints() => Nodes.Select(n => n.Endpoint).ToArray();

    /// <summary>
    /// Starts the cluster: forms a new one when the data folder holds none, otherwise restarts the
    /// nodes it records. Returns when every node reports <c>cluster_state:ok</c>.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            Installation = ValkeyInstallation.Locate(_options.BinaryDirectory);
            _logger.LogInformation(
                "Using Valkey {Version} from {ServerPath} ({Source})", Installation.Version, Installation.ServerPath, Installation.Source);
            Directory.CreateDirectory(DataDirectory);
            HookProcessExit();

            _layout = ClusterLayout.Load(DataDirectory);
            var isNew = _layout is null;
            _layout ??= NewLayout();
            lock (_nodes)
            {
                _nodes.Clear();
                _nodes.AddRange(_layout.Nodes.Select(n => new LocalNode(n.Port, DataDirectory, _loggerFactory.CreateLogger<LocalNode>())));
            }

            foreach (var node in Nodes)
            {
                node.StopLeftoverProcess(StopTimeout);
                if (isNew && Directory.Exists(node.Directory))
                {
                    // A cluster that was never fully formed holds no data of the user's: start it clean.
                    Directory.Delete(node.Directory, recursive: true);
                }
            }

            await StartNodesAsync(Nodes, cancellationToken);
            if (isNew)
            {
                _logger.LogInformation("Forming a new cluster of {Primaries} primaries with {Replicas} replicas each in {DataDirectory}",
                    Embedded.Primaries, Embedded.ReplicasPerPrimary, DataDirectory);
                await FormClusterAsync(cancellationToken);
                _layout.Save(DataDirectory);
            }
            else
            {
                _logger.LogInformation("Restarting the cluster of {NodeCount} nodes recorded in {DataDirectory}", _nodes.Count, DataDirectory);
                await WaitForClusterOkAsync(Nodes, cancellationToken);
            }

            _logger.LogInformation("Embedded cluster is up: {Endpoints}", string.Join(", ", GetSeedEndpoints()));
        }
        catch
        {
            await StopAllNodesAsync();
            throw;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Stops every node this host started (gracefully: each flushes its AOF).</summary>
    public async Task StopAsync()
    {
        await _lock.WaitAsync();
        try
        {
            await StopAllNodesAsync();
        }
        finally
        {
            _lock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Idempotent: the container disposes the host once per registration (it is also the seed source).
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await StopAsync();
        if (_processExitHooked)
        {
            AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
            _processExitHooked = false;
        }

        _lock.Dispose();
    }

    private ClusterLayout NewLayout()
    {
        var nodes = new List<ClusterLayout.Node>();
        var port = Embedded.BasePort;
        for (var i = 0; i < Embedded.Primaries; i++)
        {
            nodes.Add(new ClusterLayout.Node(port++, ClusterLayout.InitialRole.Primary));
        }

        for (var i = 0; i < Embedded.Primaries * Embedded.ReplicasPerPrimary; i++)
        {
            nodes.Add(new ClusterLayout.Node(port++, ClusterLayout.InitialRole.Replica));
        }

        return new ClusterLayout(1, nodes);
    }

    private async Task StartNodesAsync(IReadOnlyList<LocalNode> nodes, CancellationToken cancellationToken)
    {
        // Check every port first, so a conflict is reported before anything starts.
        foreach (var node in nodes.Where(n => !n.IsRunning))
        {
            foreach (var port in new[] { node.Port, node.BusPort })
            {
                if (!PortProbe.IsFree(System.Net.IPAddress.Loopback, port))
                {
                    throw new PortInUseException(port, node.Port);
                }
            }
        }

        foreach (var node in nodes)
        {
            node.WriteConfig(Settings);
        }

        await Task.WhenAll(nodes.Select(n => n.StartAsync(Installation!, Embedded.StartupTimeout, cancellationToken)));
    }

    private async Task StopAllNodesAsync()
    {
        await Task.WhenAll(Nodes.Select(n => n.StopAsync(StopTimeout)));
    }

    /// <summary>A client of its own for forming and changing the cluster (the dashboard's connection is made from this host's nodes once they run).</summary>
    private ValkeyAdminClient CreateAdminClient(IEnumerable<LocalNode> nodes) =>
        new(new ValkeyConnection(Options.Create(_options), new StaticSeeds(nodes.Select(n => n.Endpoint).ToArray()), _loggerFactory.CreateLogger<ValkeyConnection>()), ownsConnection: true);

    private void HookProcessExit()
    {
        if (!_processExitHooked)
        {
            // Last line of defence when the process exits without disposing the host (e.g. a test run that is torn down).
            AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
            _processExitHooked = true;
        }
    }

    private void OnProcessExit(object? sender, EventArgs e)
    {
        foreach (var node in Nodes)
        {
            node.StopSynchronously(TimeSpan.FromSeconds(5));
        }
    }
}
