using System.Diagnostics;
using System.Globalization;
using ValkeyDashboard.Cluster.Hosting;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>
/// A real cluster formed the way operators form one, by <c>valkey-cli --cluster create</c>, with spare nodes that run
/// in cluster mode but belong to no cluster yet (to join later): what an External-mode dashboard manages. The test
/// process starts the nodes itself; disposing kills every one of them and deletes the folder.
/// </summary>
public sealed class CliCluster : IAsyncDisposable
{
    private readonly List<Process> _processes = [];
    private readonly ValkeyInstallation _installation;

    private CliCluster(string directory, int basePort, int members, int spares, ValkeyInstallation installation)
    {
        Directory = directory;
        _installation = installation;
        MemberPorts = [.. Enumerable.Range(basePort, members)];
        SparePorts = [.. Enumerable.Range(basePort + members, spares)];
    }

    public string Directory { get; }

    public IReadOnlyList<int> MemberPorts { get; }

    public IReadOnlyList<int> SparePorts { get; }

    public IReadOnlyList<string> Endpoints => [.. MemberPorts.Select(Endpoint)];

    public IReadOnlyList<string> SpareEndpoints => [.. SparePorts.Select(Endpoint)];

    /// <summary>Starts <paramref name="primaries"/> × (1 + <paramref name="replicasPerPrimary"/>) nodes, forms them with valkey-cli, and starts <paramref name="spares"/> more.</summary>
    public static async Task<CliCluster> StartAsync(int primaries, int replicasPerPrimary, int spares)
    {
        var members = primaries * (1 + replicasPerPrimary);
        var cluster = new CliCluster(TestDirectories.Create("cli-cluster"), TestPorts.AllocateBlock(members + spares), members, spares, ValkeyInstallation.Locate(null));
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
                TimeSpan.FromSeconds(60), "the valkey-cli cluster to be ok on every node", TimeSpan.FromMilliseconds(200));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs valkey-cli against the cluster's host and returns what it printed; throws when it fails.</summary>
    public async Task<string> CliAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(_installation.CliPath) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-h");
        start.ArgumentList.Add("127.0.0.1");
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
            throw new InvalidOperationException($"valkey-cli {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}{await output}");
        }

        return await output;
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
        var start = new ProcessStartInfo(_installation.ServerPath) { WorkingDirectory = nodeDirectory, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--protected-mode", "no",
            "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000",
            "--cluster-slot-stats-enabled", "yes", "--enable-debug-command", "local",
            "--dir", nodeDirectory, "--logfile", "valkey.log", "--save", string.Empty, "--appendonly", "no",
        })
        {
            start.ArgumentList.Add(argument);
        }

        _processes.Add(Process.Start(start) ?? throw new InvalidOperationException($"valkey-server on {port} did not start"));
    }
}
