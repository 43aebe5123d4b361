using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace ValkeyDashboard.Cluster.Hosting;

/// <summary>
/// One <c>valkey-server</c> process of the embedded cluster, with its folder
/// (<c>valkey.conf</c>, <c>nodes.conf</c>, AOF, <c>valkey.pid</c>, <c>valkey.log</c>).
/// </summary>
public sealed class LocalNode
{
    private const string SetsidPath = "/usr/bin/setsid";

    private readonly ILogger _logger;
    private readonly StringBuilder _stderr = new();
    private Process? _process;

    // A node an earlier run of the dashboard started and left running, which this run adopted (not its child process).
    private int? _adoptedPid;

    public LocalNode(int port, string dataDirectory, ILogger logger)
    {
        Port = port;
        Directory = Path.Combine(dataDirectory, $"node-{port.ToString(CultureInfo.InvariantCulture)}");
        _logger = logger;
    }

    public int Port { get; }

    public int BusPort => Port + 10000;

    public string Endpoint => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public string Directory { get; }

    public string ConfigPath => Path.Combine(Directory, "valkey.conf");

    public string PidPath => Path.Combine(Directory, "valkey.pid");

    public string LogPath => Path.Combine(Directory, "valkey.log");

    /// <summary>Records which <c>valkey-server</c> the node was last started with (the process cannot tell: it may run through a loader).</summary>
    public string BinaryStampPath => Path.Combine(Directory, "valkey-server.path");

    /// <summary>True once the node has cluster state on disk (it was part of a formed cluster).</summary>
    public bool HasClusterState => File.Exists(Path.Combine(Directory, "nodes.conf"));

    public bool IsRunning => _adoptedPid is { } pid ? LocalProcesses.IsRunning(pid) : _process is { HasExited: false };

    public int? ProcessId => !IsRunning ? null : _adoptedPid ?? _process!.Id;

    /// <summary>True while the node runs as a process an earlier run of the dashboard started and this one adopted.</summary>
    public bool IsAdopted => _adoptedPid is not null && IsRunning;

    /// <summary>How the running process differs from what is configured now (binary, settings); empty when it does not.</summary>
    public ImmutableArray<string> Drift { get; private set; } = [];

    /// <summary>The <c>valkey.conf</c> the settings produce.</summary>
    public string RenderConfig(NodeSettings settings)
    {
        var config = new StringBuilder()
            .AppendLine("# Written by ValkeyDashboard on every start; edits here are overwritten.")
            .AppendLine(CultureInfo.InvariantCulture, $"port {Port}")
            .AppendLine("bind 127.0.0.1")
            .AppendLine("daemonize no")
            .AppendLine(CultureInfo.InvariantCulture, $"dir \"{Directory}\"")
            .AppendLine("pidfile valkey.pid")
            .AppendLine("logfile valkey.log")
            .AppendLine("loglevel notice")
            .AppendLine("cluster-enabled yes")
            .AppendLine("cluster-config-file nodes.conf")
            .AppendLine(CultureInfo.InvariantCulture, $"cluster-node-timeout {settings.NodeTimeoutMilliseconds}")
            .AppendLine("cluster-slot-stats-enabled yes")
            // Persistence: AOF (fsync every second) so keys survive a restart; no RDB save points, to avoid extra forks.
            .AppendLine("appendonly yes")
            .AppendLine("appendfsync everysec")
            .AppendLine("save \"\"")
            // The dashboard and its tests hold migrations in place with DEBUG SLOTMIGRATION; only local clients may use DEBUG.
            .AppendLine("enable-debug-command local");
        if (!string.IsNullOrEmpty(settings.Password))
        {
            config.AppendLine(CultureInfo.InvariantCulture, $"requirepass \"{settings.Password}\"")
                .AppendLine(CultureInfo.InvariantCulture, $"primaryauth \"{settings.Password}\"");
        }
        else
        {
            // Bound to loopback only; without a password protected mode would refuse nothing useful here.
            config.AppendLine("protected-mode no");
        }

        return config.ToString();
    }

    /// <summary>Writes <c>valkey.conf</c>; rewritten on every start so a changed setting takes effect.</summary>
    public void WriteConfig(NodeSettings settings)
    {
        System.IO.Directory.CreateDirectory(Directory);

        // The config holds the password: readable by its owner only from its first byte (a new file, then renamed over the old one).
        var temp = ConfigPath + ".tmp";
        File.Delete(temp);
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, create))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(RenderConfig(settings));
        }

        File.Move(temp, ConfigPath, overwrite: true);
    }

    /// <summary>The pid in <c>valkey.pid</c>, if the file holds one.</summary>
    public int? ReadPidFile()
    {
        try
        {
            return int.TryParse(File.ReadAllText(PidPath).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary><c>valkey.conf</c> as it is on disk (what the running process was started with), if any.</summary>
    public string? ReadConfigOnDisk()
    {
        try
        {
            return File.ReadAllText(ConfigPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The <c>valkey-server</c> the node was last started with, if recorded.</summary>
    public string? ReadStartedWith()
    {
        try
        {
            return File.ReadAllText(BinaryStampPath).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The node's own cluster id, from the <c>myself</c> line of its <c>nodes.conf</c>.</summary>
    public string? ReadOwnId()
    {
        try
        {
            return File.ReadLines(Path.Combine(Directory, "nodes.conf"))
                .Select(line => line.Split(' '))
                .FirstOrDefault(fields => fields.Length > 2 && fields[2].Split(',').Contains("myself"))?[0];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Takes over a running process of this node that an earlier run started (<see cref="NodeAdoption"/> decided it is
    /// ours): it is monitored, stopped and restarted like a node this run started, and nothing is done to it now.
    /// </summary>
    public void Adopt(int pid, ImmutableArray<string> drift)
    {
        _process = null;
        _adoptedPid = pid;
        Drift = drift;
        _logger.LogInformation("Adopted valkey-server pid {Pid} on port {Port}, left running by an earlier run", pid, Port);
        foreach (var difference in drift)
        {
            _logger.LogWarning("valkey-server on port {Port} {Difference}", Port, difference);
        }
    }

    /// <summary>
    /// Stops a <c>valkey-server</c> that an earlier run left behind (its pid file names a live
    /// valkey-server), so it does not collide with the node about to start. Returns its pid, if any.
    /// </summary>
    public int? StopLeftoverProcess(TimeSpan timeout)
    {
        // Only a valkey-server working in this node's folder: a pid file can outlive its process and name another one.
        if (ReadPidFile() is not { } pid || !LocalProcesses.IsRunning(pid) ||
            LocalProcesses.Name(pid) != "valkey-server" ||
            LocalProcesses.WorkingDirectory(pid) != Directory)
        {
            return null;
        }

        _logger.LogWarning("Stopping valkey-server pid {Pid} on port {Port}, left running by an earlier run that never finished forming the cluster", pid, Port);
        TerminateAndWait(pid, timeout);
        return pid;
    }

    /// <summary>Starts the process and waits until it accepts connections.</summary>
    public async Task StartAsync(ValkeyInstallation installation, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (IsRunning)
        {
            return;
        }

        _adoptedPid = null;
        Drift = [];

        foreach (var port in new[] { Port, BusPort })
        {
            if (!PortProbe.IsFree(IPAddress.Loopback, port))
            {
                throw new PortInUseException(port, Port);
            }
        }

        // In its own session (setsid execs in place, so the pid stays valkey's): a Ctrl+C in the terminal reaches
        // the dashboard only, which then stops its nodes in order instead of every node dying at once.
        var startInfo = new ProcessStartInfo(File.Exists(SetsidPath) ? SetsidPath : installation.ServerPath)
        {
            WorkingDirectory = Directory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        if (startInfo.FileName == SetsidPath)
        {
            startInfo.ArgumentList.Add(installation.ServerPath);
        }

        startInfo.ArgumentList.Add(ConfigPath);

        lock (_stderr)
        {
            _stderr.Clear();
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };

        // The node logs to valkey.log; anything on stdout/stderr (config errors before the log opens) is kept for error messages.
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        File.WriteAllText(BinaryStampPath, Path.GetFullPath(installation.ServerPath));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        _logger.LogInformation("Started valkey-server pid {Pid} on port {Port}", process.Id, Port);

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new InvalidOperationException(
                    $"valkey-server on port {Port} exited with code {process.ExitCode} during start: {DescribeFailure()}");
            }

            if (await AcceptsConnectionsAsync(cancellationToken))
            {
                return;
            }

            if (deadline.Elapsed > timeout)
            {
                Kill();
                throw new TimeoutException($"valkey-server on port {Port} did not accept connections within {timeout.TotalSeconds:0} s: {DescribeFailure()}");
            }

            await Task.Delay(25, cancellationToken);
        }
    }

    /// <summary>Graceful stop: SIGTERM (Valkey flushes its AOF), then SIGKILL after <paramref name="timeout"/>.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_adoptedPid is { } adopted)
        {
            if (LocalProcesses.IsRunning(adopted))
            {
                await Task.Run(() => TerminateAndWait(adopted, timeout));
                _logger.LogInformation("Stopped valkey-server on port {Port}", Port);
            }

            return;
        }

        var process = _process;
        if (process is null || process.HasExited)
        {
            return;
        }

        PosixSignals.Terminate(process.Id);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
            _logger.LogInformation("Stopped valkey-server on port {Port}", Port);
        }
        catch (OperationCanceledException)
        {
            _logger.LogWarning("valkey-server on port {Port} did not stop within {Timeout}; killing it", Port, timeout);
            Kill();
        }
    }

    /// <summary>SIGTERM and a bounded synchronous wait, then SIGKILL: for process-exit paths where nothing can be awaited.</summary>
    public void StopSynchronously(TimeSpan timeout)
    {
        if (_adoptedPid is { } adopted)
        {
            TerminateAndWait(adopted, timeout);
            return;
        }

        var process = _process;
        if (process is null || process.HasExited)
        {
            return;
        }

        PosixSignals.Terminate(process.Id);
        if (!process.WaitForExit(timeout))
        {
            Kill();
        }
    }

    /// <summary>SIGKILL: the node dies at once, as in a crash.</summary>
    public void Kill()
    {
        if (_adoptedPid is { } adopted)
        {
            PosixSignals.ForceKill(adopted);
            Wait(adopted, TimeSpan.FromSeconds(5));
            return;
        }

        var process = _process;
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>SIGTERM, a bounded wait, then SIGKILL: for a process that is not this run's child.</summary>
    private void TerminateAndWait(int pid, TimeSpan timeout)
    {
        PosixSignals.Terminate(pid);
        if (!Wait(pid, timeout))
        {
            _logger.LogWarning("valkey-server pid {Pid} on port {Port} did not stop within {Timeout}; killing it", pid, Port, timeout);
            PosixSignals.ForceKill(pid);
            Wait(pid, TimeSpan.FromSeconds(5));
        }
    }

    /// <summary>Polls until a process that is not this run's child has ended (its exit cannot be awaited).</summary>
    private static bool Wait(int pid, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (LocalProcesses.IsRunning(pid))
        {
            if (deadline.Elapsed > timeout)
            {
                return false;
            }

            Thread.Sleep(20);
        }

        return true;
    }

    private async Task<bool> AcceptsConnectionsAsync(CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(TimeSpan.FromMilliseconds(500));
            await client.ConnectAsync(IPAddress.Loopback, Port, cts.Token);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_stderr)
        {
            if (_stderr.Length < 8192)
            {
                _stderr.AppendLine(line);
            }
        }
    }

    private string DescribeFailure()
    {
        string output;
        lock (_stderr)
        {
            output = _stderr.ToString().Trim();
        }

        var logTail = File.Exists(LogPath) ? string.Join(" | ", File.ReadLines(LogPath).TakeLast(5)) : string.Empty;
        return $"{output} {logTail} (log: {LogPath})".Trim();
    }
}

/// <summary>Settings every node of the embedded cluster shares.</summary>
public sealed record NodeSettings(int NodeTimeoutMilliseconds, string? Password);

/// <summary>A port the embedded cluster needs is taken by another process.</summary>
public sealed class PortInUseException : Exception
{
    public PortInUseException(int port, int nodePort, int? processId = null)
        : base((port == nodePort
            ? $"Port {port} on 127.0.0.1 is already in use by another process{Pid(processId)}, so the Valkey node for port {nodePort} cannot start. Stop that process or set Valkey:Embedded:BasePort to a free range."
            : $"Port {port} on 127.0.0.1 (the cluster bus of the Valkey node on port {nodePort}) is already in use by another process{Pid(processId)}. Stop that process or set Valkey:Embedded:BasePort to a free range."))
    {
        Port = port;
        ProcessId = processId;
    }

    public PortInUseException()
    {
    }

    public PortInUseException(string message)
        : base(message)
    {
    }

    public PortInUseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int Port { get; }

    /// <summary>The process holding the port, when it could be seen.</summary>
    public int? ProcessId { get; }

    private static string Pid(int? pid) => pid is { } p ? $" (pid {p.ToString(CultureInfo.InvariantCulture)})" : string.Empty;
}

/// <summary>
/// The embedded cluster did not start because processes that are not provably its own nodes hold some of their ports or
/// folders; they are left running, untouched.
/// </summary>
public sealed class NodeAdoptionException : Exception
{
    public NodeAdoptionException(IReadOnlyList<string> reasons)
        : base("The embedded cluster did not start: " + string.Join("; ", reasons) +
            ". The dashboard leaves processes it cannot prove are its own alone: stop them, or give the dashboard another data folder or Valkey:Embedded:BasePort.")
    {
        Reasons = reasons;
    }

    public NodeAdoptionException()
    {
        Reasons = [];
    }

    public NodeAdoptionException(string message)
        : base(message)
    {
        Reasons = [message];
    }

    public NodeAdoptionException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reasons = [message];
    }

    public IReadOnlyList<string> Reasons { get; }
}
