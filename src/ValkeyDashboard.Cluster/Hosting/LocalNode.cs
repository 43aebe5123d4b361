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

    /// <summary>True once the node has cluster state on disk (it was part of a formed cluster).</summary>
    public bool HasClusterState => File.Exists(Path.Combine(Directory, "nodes.conf"));

    public bool IsRunning => _process is { HasExited: false };

    public int? ProcessId => IsRunning ? _process!.Id : null;

    /// <summary>Writes <c>valkey.conf</c>; rewritten on every start so a changed setting takes effect.</summary>
    public void WriteConfig(NodeSettings settings)
    {
        System.IO.Directory.CreateDirectory(Directory);
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

        // The config holds the password: readable by its owner only.
        File.WriteAllText(ConfigPath, config.ToString());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(ConfigPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    /// <summary>
    /// Stops a <c>valkey-server</c> that an earlier run left behind (its pid file names a live
    /// valkey-server), so it does not collide with the node about to start. Returns its pid, if any.
    /// </summary>
    public int? StopLeftoverProcess(TimeSpan timeout)
    {
        if (!File.Exists(PidPath) ||
            !int.TryParse(File.ReadAllText(PidPath).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ||
            !IsValkeyServer(pid))
        {
            return null;
        }

        _logger.LogWarning("Stopping valkey-server pid {Pid} on port {Port}, left running by an earlier run", pid, Port);
        PosixSignals.Terminate(pid);
        var deadline = Stopwatch.StartNew();
        while (PosixSignals.IsAlive(pid) && deadline.Elapsed < timeout)
        {
            Thread.Sleep(50);
        }

        if (PosixSignals.IsAlive(pid))
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
            process.WaitForExit(timeout);
        }

        return pid;
    }

    /// <summary>Starts the process and waits until it accepts connections.</summary>
    public async Task StartAsync(ValkeyInstallation installation, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (IsRunning)
        {
            return;
        }

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

    private static bool IsValkeyServer(int pid)
    {
        try
        {
            // Valkey rewrites its title to "valkey-server 127.0.0.1:7000 [cluster]"; the loader wrapper's command line names it too.
            var cmdline = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline");
            return cmdline.Contains("valkey-server", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
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
    public PortInUseException(int port, int nodePort)
        : base(port == nodePort
            ? $"Port {port} on 127.0.0.1 is already in use by another process, so the Valkey node for port {nodePort} cannot start. Stop that process or set Valkey:Embedded:BasePort to a free range."
            : $"Port {port} on 127.0.0.1 (the cluster bus of the Valkey node on port {nodePort}) is already in use by another process. Stop that process or set Valkey:Embedded:BasePort to a free range.")
    {
        Port = port;
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
}
