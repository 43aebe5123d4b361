using System.Diagnostics;
using System.Globalization;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>
/// A real cluster formed the way operators form one, by the server's own CLI (<c>valkey-cli</c> or <c>redis-cli --cluster
/// create … --cluster-yes</c>), with spare nodes that run in cluster mode but belong to no cluster yet (to join later):
/// what an External-mode dashboard manages. Any <see cref="ServerKind"/> (Valkey 9 by default, or Valkey 8.0, Redis 7.0,
/// Redis 8.0), optionally with a password (<c>requirepass</c>/<c>masterauth</c> on every node). The test process starts
/// the nodes itself; disposing kills every one of them and deletes the folder.
/// </summary>
public sealed class CliCluster : IAsyncDisposable
{
    private readonly List<Process> _processes = [];

    private CliCluster(string directory, int basePort, int members, int spares, ServerKind kind, string? password)
    {
        Directory = directory;
        Kind = kind;
        Password = password;
        CliPath = kind.CliPath;
        ServerPath = kind.ServerPath;
        MemberPorts = [.. Enumerable.Range(basePort, members)];
        SparePorts = [.. Enumerable.Range(basePort + members, spares)];
    }

    public string Directory { get; }

    /// <summary>What the nodes run.</summary>
    public ServerKind Kind { get; }

    /// <summary>The password every node requires, or null.</summary>
    public string? Password { get; }

    private string CliPath { get; }

    private string ServerPath { get; }

    public IReadOnlyList<int> MemberPorts { get; }

    public IReadOnlyList<int> SparePorts { get; }

    public IReadOnlyList<string> Endpoints => [.. MemberPorts.Select(Endpoint)];

    public IReadOnlyList<string> SpareEndpoints => [.. SparePorts.Select(Endpoint)];

    /// <summary>
    /// Starts <paramref name="primaries"/> × (1 + <paramref name="replicasPerPrimary"/>) nodes of <paramref name="kind"/>
    /// (Valkey 9 when null), forms them with that server's CLI, and starts <paramref name="spares"/> more (with no
    /// primaries, only the spares: nodes of one kind to join a cluster of another).
    /// </summary>
    public static async Task<CliCluster> StartAsync(int primaries, int replicasPerPrimary, int spares, ServerKind? kind = null, string? password = null)
    {
        var members = primaries * (1 + replicasPerPrimary);
        kind ??= ServerKind.Valkey9;
        var cluster = new CliCluster(TestDirectories.Create($"cli-cluster-{kind.Name}"), TestPorts.AllocateBlock(members + spares), members, spares, kind, password);
        try
        {
            foreach (var port in cluster.MemberPorts.Concat(cluster.SparePorts))
            {
                cluster.StartNode(port);
            }

            foreach (var port in cluster.MemberPorts.Concat(cluster.SparePorts))
            {
                await Cluster.Concurrency.Wait.UntilAsync(
                    async _ => (await cluster.CliAsync("-p", port.ToString(CultureInfo.InvariantCulture), "PING")).Contains("PONG", StringComparison.Ordinal),
                    TimeSpan.FromSeconds(30), $"the node on {port} to answer", TimeSpan.FromMilliseconds(50), retryOn: ex => ex is InvalidOperationException);
            }

            if (members == 0)
            {
                // Spare nodes only (e.g. one of another server kind, to join some other cluster).
                return cluster;
            }

            await cluster.CliAsync(["--cluster", "create", .. cluster.Endpoints, "--cluster-replicas", replicasPerPrimary.ToString(CultureInfo.InvariantCulture), "--cluster-yes"]);
            await Cluster.Concurrency.Wait.UntilAsync(
                async _ =>
                {
                    foreach (var port in cluster.MemberPorts)
                    {
                        var info = await cluster.CliAsync("-p", port.ToString(CultureInfo.InvariantCulture), "CLUSTER", "INFO");
                        if (!info.Contains("cluster_state:ok", StringComparison.Ordinal) || !info.Contains($"cluster_known_nodes:{members}\r", StringComparison.Ordinal))
                        {
                            return false;
                        }
                    }

                    return true;
                },
                TimeSpan.FromSeconds(60), $"the {kind} cluster formed by {kind.CliName} to be ok on every node", TimeSpan.FromMilliseconds(200));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs the kind's CLI (with the password, if any) against the cluster's host and returns what it printed; throws when it fails.</summary>
    public async Task<string> CliAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(CliPath) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-h");
        start.ArgumentList.Add("127.0.0.1");
        if (Password is not null)
        {
            start.ArgumentList.Add("-a");
            start.ArgumentList.Add(Password);
            start.ArgumentList.Add("--no-auth-warning");
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Kind.CliName} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}{await output}");
        }

        return await output;
    }

    /// <summary>Zeroes every member's statistics (<c>CONFIG RESETSTAT</c>), so <see cref="ErrorRepliesAsync"/> counts only what follows.</summary>
    public async Task ResetStatsAsync()
    {
        foreach (var endpoint in Endpoints)
        {
            await CliAsync("-p", endpoint[(endpoint.LastIndexOf(':') + 1)..], "CONFIG", "RESETSTAT");
        }
    }

    /// <summary>
    /// The error replies each member sent since <see cref="ResetStatsAsync"/> (its <c>INFO errorstats</c> lines, e.g.
    /// <c>errorstat_ERR:count=3</c>), by endpoint; members with none are left out. A command a server lacks shows here.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> ErrorRepliesAsync()
    {
        var errors = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var endpoint in Endpoints)
        {
            var lines = (await CliAsync("-p", endpoint[(endpoint.LastIndexOf(':') + 1)..], "INFO", "errorstats"))
                .Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("errorstat_", StringComparison.Ordinal)).ToList();
            if (lines.Count > 0)
            {
                errors[endpoint] = lines;
            }
        }

        return errors;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill();
                    await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                }
            }
            catch (InvalidOperationException)
            {
            }

            process.Dispose();
        }

        TestDirectories.Delete(Directory);
    }

    private static string Endpoint(int port) => $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";

    private void StartNode(int port)
    {
        var nodeDirectory = Path.Combine(Directory, $"node-{port.ToString(CultureInfo.InvariantCulture)}");
        System.IO.Directory.CreateDirectory(nodeDirectory);
        var start = new ProcessStartInfo(ServerPath) { WorkingDirectory = nodeDirectory, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        List<string> arguments =
        [
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--protected-mode", "no",
            "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000",
            "--enable-debug-command", "local",
            "--dir", nodeDirectory, "--logfile", "server.log", "--save", string.Empty, "--appendonly", "no",
        ];
        if (Kind.HasSlotStats)
        {
            arguments.AddRange(["--cluster-slot-stats-enabled", "yes"]);
        }

        if (Password is not null)
        {
            arguments.AddRange(["--requirepass", Password, "--masterauth", Password]);
        }

        arguments.ForEach(start.ArgumentList.Add);
        _processes.Add(Process.Start(start) ?? throw new InvalidOperationException($"{Kind.ServerName} on {port} did not start"));
    }
}
