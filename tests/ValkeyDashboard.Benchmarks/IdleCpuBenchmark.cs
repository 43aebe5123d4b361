using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace ValkeyDashboard.Benchmarks;

/// <summary>
/// The dashboard's CPU while nothing happens, on a 200-node cluster (100 primaries × 1 replica, formed by valkey-cli,
/// External mode) against a 6-node one (3 × 1, the peer) in the same run: the dashboard process's CPU time over
/// <c>--seconds</c>, first without a browser, then with the page open in headless Chromium. Targets at 200 nodes:
/// ≤ 10 % of a core idle, ≤ 15 % with the page open. Also reports the monitor's poll duration and cadence.
/// </summary>
internal static class IdleCpuBenchmark
{
    public const double IdleTarget = 10;
    public const double PageTarget = 15;
    private const int DashboardPort = 5098;
    // Client ports 13000-13199, bus ports 23000-23199: outside the test projects' ranges (16000-21999, 26000-31999).
    private const int BasePort = 13000;
    private const double TicksPerSecond = 100; // USER_HZ on Linux
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long the dashboard may take to see every node, every primary online and the cluster ok after valkey-cli has
    /// formed it. With a 60 s node timeout a node may hear from another only every 30 s, so at 200 nodes the news of
    /// each node's role and replication (a replica is "loading" in CLUSTER SHARDS until then) takes minutes to spread.
    /// </summary>
    private static readonly TimeSpan JoinWait = TimeSpan.FromMinutes(8);

    /// <summary>How long to wait for the machine to be quiet before measuring (see <see cref="LoadAverage"/>).</summary>
    private static readonly TimeSpan SettleWait = TimeSpan.FromMinutes(6);

    /// <summary>How much longer to wait for the last replicas once every primary is online (see <see cref="JoinWait"/>).</summary>
    private static readonly TimeSpan ReplicaWait = TimeSpan.FromMinutes(3);

    /// <summary>
    /// The nodes' <c>cluster-node-timeout</c>. A node pings every node it has not heard from in half of it, so at 5 s (the
    /// tests' value) 200 nodes send each other about 16,000 bus messages a second, which alone kept both cores of the
    /// 2-core machine busy and never let valkey-cli finish joining them. At 60 s (a common production value) they send
    /// about a tenth of that. The dashboard's work does not depend on it: it reads each node the same way.
    /// </summary>
    private const string NodeTimeoutMs = "60000";

    public static async Task RunAsync(BenchmarkOptions options, string root, CancellationToken cancellationToken)
    {
        BenchmarkBrowser.Require();

        var getValkey = (await ExternalCommand.RunAsync(Path.Combine(root, "eng", "get-valkey.sh"), ["--print-bin-dir"], ToolTimeout, cancellationToken, root)).EnsureSuccess();
        var bin = getValkey.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(Directory.Exists)
            ?? throw new BenchmarkFailedException($"eng/get-valkey.sh printed no bin directory:\n{getValkey.Tail()}");
        Console.WriteLine("Building the dashboard: dotnet build -c Release src/ValkeyDashboard");
        (await ExternalCommand.RunAsync("dotnet", ["build", "-c", "Release", "src/ValkeyDashboard", "--nologo", "-v", "q"], ToolTimeout, cancellationToken, root)).EnsureSuccess();

        var results = new List<Result>();
        foreach (var primaries in new[] { 3, 100 })
        {
            results.Add(await MeasureAsync(root, bin, primaries, options.Seconds, cancellationToken));
        }

        var peer = results[0];
        var large = results[1];
        var text = new StringBuilder();
        Line(text, $"| Cluster | Load average before | Dashboard CPU idle, no browser (% of a core) | With the page open (% of a core) | Poll (ms) | Poll interval (ms) |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in results)
        {
            Line(text, $"| {r.Nodes} nodes ({r.Nodes / 2} × 1){(r.Online < r.Nodes ? $", {r.Online} online" : "")} | {r.LoadAverage:0.0} | {r.IdlePercent:0.00} | {r.PagePercent:0.00} | {r.PollMs} | {r.IntervalMs} |");
        }

        Line(text, $"| Ratio 200 / 6 nodes | | {large.IdlePercent / peer.IdlePercent:0.0} | {large.PagePercent / peer.PagePercent:0.0} | | |");
        text.AppendLine();
        Line(text, $"- Targets at 200 nodes: idle ≤ {IdleTarget:0} % — {(large.IdlePercent <= IdleTarget ? "PASS" : "MISS")}; with the page open ≤ {PageTarget:0} % — {(large.PagePercent <= PageTarget ? "PASS" : "MISS")}.");
        Line(text, $"- Dashboard process CPU time (utime + stime from /proc) over {options.Seconds} s per phase after {WarmUp.TotalSeconds:0} s of warm-up; 1 s poll interval (the default), 32 node requests at a time (the default); nodes with cluster-node-timeout {NodeTimeoutMs} ms; headless Chromium at 1366×768 on the home page (the node table at 200 nodes, the cards at 6).");
        Line(text, $"- Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}; the machine is shared, the ratio in one run is the figure to compare.");
        Line(text, $"- Command: `{options.CommandLine}`");
        var path = Path.Combine(root, "artifacts", "benchmarks", "idle.md");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, text.ToString(), cancellationToken);
        Console.WriteLine();
        Console.WriteLine(text);
    }

    private static async Task<Result> MeasureAsync(string root, string bin, int primaries, int seconds, CancellationToken cancellationToken)
    {
        var nodes = primaries * 2;
        var scratch = Directory.CreateTempSubdirectory("valkey-dashboard-idle-").FullName;
        var servers = new List<Process>();
        try
        {
            Console.WriteLine($"Forming {nodes} nodes ({primaries} × 1) with valkey-cli on ports {BasePort}-{BasePort + nodes - 1}");
            var endpoints = Enumerable.Range(BasePort, nodes).Select(p => $"127.0.0.1:{p}").ToList();
            foreach (var port in Enumerable.Range(BasePort, nodes))
            {
                servers.Add(StartServer(bin, scratch, port));
            }

            await Poll.UntilAsync("every node to answer", async () =>
            {
                foreach (var port in Enumerable.Range(BasePort, nodes))
                {
                    var ping = await ExternalCommand.RunAsync(Path.Combine(bin, "valkey-cli"), ["-p", port.ToString(CultureInfo.InvariantCulture), "PING"], TimeSpan.FromSeconds(60), cancellationToken);
                    if (!ping.Output.Contains("PONG", StringComparison.Ordinal))
                    {
                        return $"{port} does not answer yet";
                    }
                }

                return null;
            }, TimeSpan.FromMinutes(2), Poll.SetupInterval, cancellationToken);
            (await ExternalCommand.RunAsync(Path.Combine(bin, "valkey-cli"), ["--cluster", "create", .. endpoints, "--cluster-replicas", "1", "--cluster-yes"], ToolTimeout, cancellationToken)).EnsureSuccess();

            var baseAddress = new Uri($"http://127.0.0.1:{DashboardPort}");
            await using var dashboard = DashboardProcess.Start(root, bin, baseAddress,
            [
                "--Valkey:Mode=External",
                $"--Valkey:External:Endpoints:0={endpoints[0]}",
                $"--Dashboard:DataDirectory={Path.Combine(scratch, "dashboard")}",
                "--Dashboard:Auth:Mode=None",
            ]);
            using var http = new HttpClient { BaseAddress = baseAddress };
            await dashboard.WaitUntilHealthyAsync(http, TimeSpan.FromMinutes(2), cancellationToken);
            JsonElement cluster = default;
            List<JsonElement> NotOnline() => [.. cluster.GetProperty("nodes").EnumerateArray().Where(n => n.GetProperty("health").GetString() != "online")];
            string Describe(IEnumerable<JsonElement> list) => string.Join(", ", list.Take(8).Select(n =>
                $"{n.GetProperty("endpoint").GetString()} {n.GetProperty("role").GetString()} {n.GetProperty("health").GetString()}"));
            async Task<JsonElement> ClusterAsync() => JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/cluster", UriKind.Relative), cancellationToken)).RootElement;

            // What the measurement needs: every node known, every primary online, the cluster ok.
            await Poll.UntilAsync($"the dashboard to see {nodes} nodes, every primary online and the cluster ok", async () =>
            {
                cluster = await ClusterAsync();
                var known = cluster.GetProperty("nodes").GetArrayLength();
                var primariesDown = NotOnline().Where(n => n.GetProperty("role").GetString() == "primary").ToList();
                return known == nodes && primariesDown.Count == 0 && cluster.GetProperty("state").GetString() == "ok"
                    ? null
                    : $"{known} nodes known, state {cluster.GetProperty("state").GetString()}; primaries not online: {Describe(primariesDown)}";
            }, JoinWait, Poll.SetupInterval, cancellationToken);

            // Replicas, for a while longer; one still syncing does not change what the dashboard does (it polls every node the same way),
            // so the run goes on and says which, and what the replica itself reports.
            try
            {
                await Poll.UntilAsync("every replica online", async () =>
                {
                    cluster = await ClusterAsync();
                    var notOnline = NotOnline();
                    return notOnline.Count == 0 ? null : $"not online: {Describe(notOnline)}";
                }, ReplicaWait, Poll.SetupInterval, cancellationToken);
            }
            catch (BenchmarkFailedException ex)
            {
                Console.WriteLine($"  {ex.Message}; measuring anyway");
                foreach (var node in NotOnline().Take(3))
                {
                    var port = node.GetProperty("endpoint").GetString()!.Split(':')[1];
                    var info = await ExternalCommand.RunAsync(Path.Combine(bin, "valkey-cli"), ["-p", port, "INFO", "replication"], TimeSpan.FromSeconds(30), cancellationToken);
                    Console.WriteLine($"  {node.GetProperty("endpoint").GetString()} INFO replication: " +
                        string.Join(" ", info.Output.Split('\n', StringSplitOptions.TrimEntries).Where(l => l.StartsWith("master_", StringComparison.Ordinal) || l.StartsWith("slave_", StringComparison.Ordinal))));
                }
            }

            var online = nodes - NotOnline().Count;

            // Right after forming, the nodes are still busy telling each other about every node (a load average of 20 on
            // this machine), and the dashboard would be measured among them while their health and roles still change:
            // wait for the machine to be quiet (the 1-minute load average below its core count) first.
            try
            {
                await Poll.UntilAsync("the machine to be quiet", () => Task.FromResult(
                    LoadAverage() < Environment.ProcessorCount ? null : string.Create(CultureInfo.InvariantCulture, $"load average {LoadAverage():0.0}")),
                    SettleWait, TimeSpan.FromSeconds(1), cancellationToken);
            }
            catch (BenchmarkFailedException ex)
            {
                Console.WriteLine($"  {ex.Message}; measuring anyway");
            }

            var load = LoadAverage();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  load average {load:0.0}"));
            Console.WriteLine($"  no browser: {seconds} s after {WarmUp.TotalSeconds:0} s of warm-up");
            await Task.Delay(WarmUp, cancellationToken);
            var idle = await CpuPercentAsync(dashboard.ProcessId, seconds, cancellationToken);
            cluster = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/cluster", UriKind.Relative), cancellationToken)).RootElement;
            var monitor = cluster.GetProperty("monitor");

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await BenchmarkBrowser.LaunchAsync(playwright);
            var page = await BenchmarkBrowser.NewPageAsync(browser);
            await page.GotoAsync(baseAddress.ToString());
            await page.WaitForFunctionAsync("() => performance.getEntriesByName('heatmap-frame').length > 0", null, new() { Timeout = 60_000 });
            Console.WriteLine($"  page open: {seconds} s after {WarmUp.TotalSeconds:0} s of warm-up");
            await Task.Delay(WarmUp, cancellationToken);
            var withPage = await CpuPercentAsync(dashboard.ProcessId, seconds, cancellationToken);
            await browser.CloseAsync();
            dashboard.Stop();
            return new Result(nodes, online, load, idle, withPage, monitor.GetProperty("lastPollMs").GetInt64(), monitor.GetProperty("pollIntervalMs").GetInt64());
        }
        finally
        {
            foreach (var server in servers)
            {
                try
                {
                    server.Kill();
                    await server.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
                }
                catch (InvalidOperationException)
                {
                }

                server.Dispose();
            }

            Directory.Delete(scratch, recursive: true);
        }
    }

    private static Process StartServer(string bin, string scratch, int port)
    {
        var directory = Path.Combine(scratch, port.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(directory);
        var start = new ProcessStartInfo(Path.Combine(bin, "valkey-server")) { WorkingDirectory = directory, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--protected-mode", "no", "--cluster-enabled", "yes",
            "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", NodeTimeoutMs, "--cluster-slot-stats-enabled", "yes",
            "--dir", directory, "--logfile", "server.log", "--save", string.Empty, "--appendonly", "no",
        })
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new BenchmarkFailedException($"could not start valkey-server on {port}");
    }

    private static async Task<double> CpuPercentAsync(int pid, int seconds, CancellationToken cancellationToken)
    {
        var before = HeatMapBenchmark.Ticks(pid);
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
        var percent = (HeatMapBenchmark.Ticks(pid) - before) / TicksPerSecond / clock.Elapsed.TotalSeconds * 100;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    dashboard {percent:0.00} % of a core"));
        return percent;
    }

    /// <summary>The 1-minute load average (<c>/proc/loadavg</c>).</summary>
    private static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

    private static void Line(StringBuilder text, FormattableString line) => text.AppendLine(line.ToString(CultureInfo.InvariantCulture));

    private sealed record Result(int Nodes, int Online, double LoadAverage, double IdlePercent, double PagePercent, long PollMs, long IntervalMs);
}
