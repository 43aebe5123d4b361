using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Connections;

namespace ValkeyDashboard.Cluster.Hosting;

/// <summary>A node's process as the embedded cluster runs it.</summary>
/// <param name="ProcessId">Its pid while it runs.</param>
/// <param name="Adopted">Left running by an earlier run of the dashboard and adopted by this one.</param>
/// <param name="Drift">How it differs from what is configured now (binary, settings): a rolling restart applies them.</param>
public sealed record NodeProcess(int? ProcessId, bool Adopted, ImmutableArray<string> Drift);

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

    /// <summary>The process of the node at <paramref name="endpoint"/>, when it is one of this host's nodes.</summary>
    public NodeProcess? FindProcess(string endpoint) =>
        FindNode(endpoint) is { } node ? new NodeProcess(node.ProcessId, node.IsAdopted, node.Drift) : null;

    /// <summary>This host's node at <paramref name="endpoint"/> (host:port as the cluster reports it), if it is one of them.</summary>
    public LocalNode? FindNode(string endpoint) => Nodes.FirstOrDefault(n => n.Endpoint == endpoint);

    public IReadOnlyList<string> GetSeedEndpoints() => Nodes.Select(n => n.Endpoint).ToArray();

    /// <summary>
    /// Starts the cluster: forms a new one when the data folder holds none, otherwise brings back the nodes it records.
    /// A recorded node that is still running (the dashboard was stopped without stopping it, or crashed) is adopted when it
    /// is provably this node (<see cref="NodeAdoption"/>) and left untouched, so a restart of the dashboard does not
    /// restart the cluster; only the nodes that are not running are started. Returns when every node reports
    /// <c>cluster_state:ok</c>.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken);
        var started = new List<LocalNode>();
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

            if (isNew)
            {
                foreach (var node in Nodes)
                {
                    // A cluster that was never fully formed holds no data of the user's: start it clean.
                    node.StopLeftoverProcess(StopTimeout);
                    if (Directory.Exists(node.Directory))
                    {
                        Directory.Delete(node.Directory, recursive: true);
                    }
                }

                started.AddRange(Nodes);
                await StartNodesAsync(Nodes, cancellationToken);
                _logger.LogInformation("Forming a new cluster of {Primaries} primaries with {Replicas} replicas each in {DataDirectory}",
                    Embedded.Primaries, Embedded.ReplicasPerPrimary, DataDirectory);
                await FormClusterAsync(cancellationToken);
                RecordNodeIds();
            }
            else
            {
                RecordNodeIds();
                var toStart = await AdoptRunningNodesAsync(cancellationToken);
                _logger.LogInformation("Restarting the cluster of {NodeCount} nodes recorded in {DataDirectory}: {Adopted} still running and adopted, {Starting} to start",
                    _nodes.Count, DataDirectory, _nodes.Count - toStart.Count, toStart.Count);
                started.AddRange(toStart);
                await StartNodesAsync(toStart, cancellationToken);
                await WaitForClusterOkAsync(Nodes, cancellationToken);
            }

            _logger.LogInformation("Embedded cluster is up: {Endpoints}", string.Join(", ", GetSeedEndpoints()));
        }
        catch
        {
            // Only what this start started: nodes it found running stay as they were (a failed start must not bounce them).
            await Task.WhenAll(started.Select(n => n.StopAsync(StopTimeout)));
            throw;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Looks at each recorded node before touching anything: adopts those of ours that run, and returns those to start.
    /// Throws <see cref="NodeAdoptionException"/>, starting nothing, when a process that is not provably ours holds a
    /// node's port or folder (it is left alone: the dashboard never kills a stranger).
    /// </summary>
    private async Task<List<LocalNode>> AdoptRunningNodesAsync(CancellationToken cancellationToken)
    {
        var serverPath = Path.GetFullPath(Installation!.ServerPath);
        var decisions = new List<(LocalNode Node, AdoptionDecision Decision)>();
        var busy = Nodes.Where(n => !PortProbe.IsFree(System.Net.IPAddress.Loopback, n.Port)).ToList();
        await using var valkey = busy.Count == 0 ? null : CreateAdminClient(busy);
        foreach (var node in Nodes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var seen = await ObserveAsync(node, busy.Contains(node) ? valkey : null);
            var expected = new NodeExpectation(node.Port, node.Directory, node.ConfigPath, _layout!.Nodes.Single(n => n.Port == node.Port).Id,
                node.RenderConfig(Settings), serverPath, Installation.Version);
            decisions.Add((node, NodeAdoption.Decide(seen, expected)));
        }

        var refused = decisions.Where(d => d.Decision.Verdict == AdoptionVerdict.Refuse).ToList();
        if (refused.Count > 0)
        {
            throw new NodeAdoptionException(refused.Select(d => $"node {d.Node.Endpoint}: {d.Decision.Reason}").ToList());
        }

        foreach (var (node, decision) in decisions.Where(d => d.Decision.Verdict == AdoptionVerdict.Adopt))
        {
            node.Adopt(decision.ProcessId!.Value, decision.Drift);
        }

        return [.. decisions.Where(d => d.Decision.Verdict == AdoptionVerdict.Start).Select(d => d.Node)];
    }

    /// <summary>What is running as <paramref name="node"/>: its pid file's process, its port's listener and what answers there.</summary>
    private static async Task<NodeObservation> ObserveAsync(LocalNode node, ValkeyAdminClient? valkey)
    {
        var pid = node.ReadPidFile();
        var running = pid is { } p && LocalProcesses.IsRunning(p);
        var seen = new NodeObservation
        {
            PidFilePid = pid,
            PidRunning = running,
            PidName = running ? LocalProcesses.Name(pid!.Value) : null,
            StartedWith = node.ReadStartedWith(),
            PidWorkingDirectory = running ? LocalProcesses.WorkingDirectory(pid!.Value) : null,
            PortInUse = valkey is not null,
            PortListener = valkey is null ? null : LocalProcesses.ListenerOf(node.Port),
            ConfigOnDisk = node.ReadConfigOnDisk(),
        };
        if (valkey is null)
        {
            return seen;
        }

        try
        {
            var info = await valkey.InfoAsync(node.Endpoint, "server");
            var server = new ServerIdentity(
                (int)(info.GetInt64("process_id") ?? -1), (int)(info.GetInt64("tcp_port") ?? -1), info["config_file"], info.ServerVersion ?? "unknown");
            return seen with { Server = server, MyId = await valkey.ClusterMyIdAsync(node.Endpoint) };
        }
        catch (ValkeyException ex)
        {
            return seen with { ServerError = ex.Message };
        }
    }

    /// <summary>Keeps each node's cluster id in the layout (read from its <c>nodes.conf</c>), so a node found running can be checked against it.</summary>
    private void RecordNodeIds()
    {
        var changed = false;
        for (var i = 0; i < _layout!.Nodes.Count; i++)
        {
            var recorded = _layout.Nodes[i];
            if (recorded.Id is null && NodeAt(recorded.Port).ReadOwnId() is { } id)
            {
                _layout.Nodes[i] = recorded with { Id = id };
                changed = true;
            }
        }

        if (changed || !File.Exists(Path.Combine(DataDirectory, ClusterLayout.FileName)))
        {
            _layout.Save(DataDirectory);
        }
    }

    /// <summary>Stops every node this host started (gracefully: each flushes its AOF).</summary>
    public async Task StopAsync()
    {
        // Disposed: the nodes were stopped then (a host may be stopped after its container was disposed).
        if (Volatile.Read(ref _disposed) == 1)
        {
            return;
        }

        await StopUnderLockAsync();
    }

    private async Task StopUnderLockAsync()
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

        await StopUnderLockAsync();
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
                    throw new PortInUseException(port, node.Port, LocalProcesses.ListenerOf(port));
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
