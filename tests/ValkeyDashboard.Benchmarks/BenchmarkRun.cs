using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using ValkeyDashboard.Cluster.Hosting;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Benchmarks;

/// <summary>
/// One benchmark run from start to end: Valkey 9, the Release build of the dashboard, the dashboard with its
/// embedded cluster in a scratch folder, the keys, the rounds, the report; and, whatever happens, the cleanup.
/// </summary>
internal sealed partial class BenchmarkRun(BenchmarkOptions options)
{
    private const int DashboardPort = 5097;
    // Bus ports 22700-22705: outside the test projects' ranges (TestPorts.Ranges: 16000-21999 and 26000-31999).
    private const int BasePort = 12700;
    private int NodeCount => options.Metrics ? MetricsBenchmark.Primaries * 2 : 6;
    private const int BusPortOffset = 10000;
    private static readonly TimeSpan HealthyTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(15);

    private readonly string _root = FindRepositoryRoot();
    private DashboardProcess? _dashboard;
    private string _password = string.Empty;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        RequirePortsFree();

        Console.WriteLine("Valkey 9: eng/get-valkey.sh --print-bin-dir");
        var getValkey = (await ExternalCommand.RunAsync(Path.Combine(_root, "eng", "get-valkey.sh"), ["--print-bin-dir"], ToolTimeout, cancellationToken, _root)).EnsureSuccess();
        var binDirectory = getValkey.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(Directory.Exists)
            ?? throw new BenchmarkFailedException($"eng/get-valkey.sh printed no bin directory:\n{getValkey.Tail()}");
        Console.WriteLine($"  {binDirectory}");

        Console.WriteLine("Building the dashboard: dotnet build -c Release src/ValkeyDashboard");
        (await ExternalCommand.RunAsync("dotnet", ["build", "-c", "Release", "src/ValkeyDashboard", "--nologo", "-v", "q"], ToolTimeout, cancellationToken, _root)).EnsureSuccess();

        var scratch = Directory.CreateTempSubdirectory("valkey-dashboard-bench-").FullName;
        try
        {
            await WithDashboardAsync(scratch, binDirectory, cancellationToken);
        }
        catch
        {
            if (await CleanUpAsync(scratch) is { } problem)
            {
                await Console.Error.WriteLineAsync(problem);
            }

            throw;
        }

        if (await CleanUpAsync(scratch) is { } leftover)
        {
            throw new BenchmarkFailedException(leftover);
        }

        Console.WriteLine("Stopped the dashboard and its nodes; none left running; scratch folder deleted.");
    }

    private async Task WithDashboardAsync(string scratch, string binDirectory, CancellationToken cancellationToken)
    {
        var baseAddress = new Uri($"http://127.0.0.1:{DashboardPort}");
        Console.WriteLine($"Starting the dashboard on {baseAddress} (embedded cluster on ports {BasePort}-{BasePort + NodeCount - 1}, files in {scratch})");
        await using var dashboard = DashboardProcess.Start(_root, binDirectory, baseAddress,
        [
            $"--Valkey:Embedded:BasePort={BasePort}",
            $"--Valkey:Embedded:DataDirectory={Path.Combine(scratch, "cluster")}",
            $"--Dashboard:LogDirectory={Path.Combine(scratch, "logs")}",
            $"--Dashboard:KeysDirectory={Path.Combine(scratch, "keys")}",
            $"--Dashboard:DatabasePath={Path.Combine(scratch, "dashboard.db")}",
            // A benchmark or soak starts migrations faster than a person would.
            "--Dashboard:RateLimit:MutationsPerMinute=100000",
            // On loopback only, so sign-in may be off for the benchmark's own requests.
            "--Dashboard:Auth:Mode=None",
            // Plans average CPU over this window; the plans benchmark fills it with traffic before asking.
            "--Plans:LoadWindow=00:00:20",
            .. options.Metrics ? (string[])[$"--Valkey:Embedded:Primaries={MetricsBenchmark.Primaries}", "--Valkey:Embedded:ReplicasPerPrimary=1", "--Valkey:Embedded:StartupTimeout=00:10:00"] : [],
        ]);
        _dashboard = dashboard;

        // If the process ends without unwinding (a second Ctrl+C, Environment.Exit), the dashboard still gets its SIGTERM.
        EventHandler stopOnExit = (_, _) => dashboard.Stop();
        AppDomain.CurrentDomain.ProcessExit += stopOnExit;
        try
        {
            using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(90) };
            // With sign-in off the dashboard takes a change without a body only with this header (as from any script).
            http.DefaultRequestHeaders.Add("X-Requested-With", "ValkeyDashboard.Benchmarks");
            await dashboard.WaitUntilHealthyAsync(http, HealthyTimeout, cancellationToken);
            Console.WriteLine($"  healthy (pid {dashboard.ProcessId})");
            // The embedded cluster requires the password the dashboard generated at its first start.
            _password = (await File.ReadAllTextAsync(EmbeddedPassword.PathIn(Path.Combine(scratch, "cluster")), cancellationToken)).Trim();
            await MeasureAsync(new DashboardClient(http), binDirectory, cancellationToken);
        }
        finally
        {
            AppDomain.CurrentDomain.ProcessExit -= stopOnExit;
        }
    }

    private async Task MeasureAsync(DashboardClient dashboard, string binDirectory, CancellationToken cancellationToken)
    {
        if (options.Soak)
        {
            await using var soakCluster = await ValkeyCluster.ConnectAsync([.. Enumerable.Range(BasePort, 3).Select(p => $"127.0.0.1:{p}")], _password);
            var machine = await MachineDescriptionAsync(soakCluster, $"127.0.0.1:{BasePort}", cancellationToken);
            await new SoakRun(options, dashboard, soakCluster, Path.Combine(binDirectory, "valkey-cli"), _password, $"127.0.0.1:{BasePort}", machine, _root).RunAsync(cancellationToken);
            return;
        }

        if (options.Plans)
        {
            await using var planCluster = await ValkeyCluster.ConnectAsync([.. Enumerable.Range(BasePort, 3).Select(p => $"127.0.0.1:{p}")], _password);
            var machine = await MachineDescriptionAsync(planCluster, $"127.0.0.1:{BasePort}", cancellationToken);
            await new PlanBenchmark(options, dashboard.Http, planCluster, Path.Combine(binDirectory, "valkey-cli"), _password, machine, _root).RunAsync(cancellationToken);
            return;
        }

        if (options.Metrics)
        {
            await using var metricsCluster = await ValkeyCluster.ConnectAsync([.. Enumerable.Range(BasePort, 3).Select(p => $"127.0.0.1:{p}")], _password);
            var machine = await MachineDescriptionAsync(metricsCluster, $"127.0.0.1:{BasePort}", cancellationToken);
            await new MetricsBenchmark(options, dashboard.Http, metricsCluster, machine, _root).RunAsync(cancellationToken);
            return;
        }

        if (options.History)
        {
            await using var historyCluster = await ValkeyCluster.ConnectAsync([.. Enumerable.Range(BasePort, 3).Select(p => $"127.0.0.1:{p}")], _password);
            var machine = await MachineDescriptionAsync(historyCluster, $"127.0.0.1:{BasePort}", cancellationToken);
            await new HistoryBenchmark(options, _dashboard!, historyCluster, machine, _root).RunAsync(cancellationToken);
            return;
        }

        if (options.Probe)
        {
            string[] seeds = [.. Enumerable.Range(BasePort, 3).Select(p => $"127.0.0.1:{p}")];
            await using var probeCluster = await ValkeyCluster.ConnectAsync(seeds, _password);
            var machine = await MachineDescriptionAsync(probeCluster, $"127.0.0.1:{BasePort}", cancellationToken);
            await new ProbeBenchmark(options, _password, seeds, machine, _root).RunAsync(cancellationToken);
            return;
        }

        if (options.HeatMap)
        {
            await using var heatMapCluster = await ValkeyCluster.ConnectAsync([.. Enumerable.Range(BasePort, 3).Select(p => $"127.0.0.1:{p}")], _password);
            var machine = await MachineDescriptionAsync(heatMapCluster, $"127.0.0.1:{BasePort}", cancellationToken);
            await new HeatMapBenchmark(options, _dashboard!, heatMapCluster, machine, _root).RunAsync(cancellationToken);
            return;
        }

        var slots = SlotRangeSet.From([new SlotRange(0, options.Slots - 1)]);
        var primaries = (await dashboard.GetClusterAsync(cancellationToken)).Nodes
            .Where(n => n.IsPrimary && n.Slots.Length > 0)
            .OrderBy(n => n.Slots.Min(r => r[0]))
            .ToList();
        var source = primaries.FirstOrDefault(n => n.SlotSet.Contains(0)) ?? throw new BenchmarkFailedException("GET /api/cluster shows no primary owning slot 0");
        var target = primaries.FirstOrDefault(n => n != source) ?? throw new BenchmarkFailedException("GET /api/cluster shows only one primary");
        if (!slots.Except(source.SlotSet).IsEmpty)
        {
            throw new BenchmarkFailedException($"{source.Endpoint} owns {source.SlotSet}, not all of {slots}");
        }

        Console.WriteLine($"A = {source.Endpoint} ({source.Id}), B = {target.Endpoint} ({target.Id}); moving slots {slots}");

        await using var cluster = await ValkeyCluster.ConnectAsync([.. Enumerable.Range(BasePort, 3).Select(p => $"127.0.0.1:{p}")], _password);
        Console.WriteLine($"Loading {options.Keys:N0} keys of 100 bytes ...");
        var loadTime = await cluster.LoadKeysAsync(options.Keys, cancellationToken);
        Console.WriteLine($"  loaded in {loadTime.TotalSeconds:0.0} s ({options.Keys / loadTime.TotalSeconds:N0} keys/s)");
        await cluster.WaitForKeyCountAsync(options.Keys, "loading", cancellationToken);
        var original = await cluster.WaitUntilSettledAsync("the cluster to settle after loading",
            layout => slots.Except(layout.SlotsOf(source.Id)).IsEmpty ? null : $"A does not own {slots}: {layout}", cancellationToken);
        var keysInSlots = await cluster.CountKeysAsync(source.Endpoint, slots);
        Console.WriteLine($"  {keysInSlots:N0} keys in slots {slots}");

        var scenario = new MigrationScenario(source.Id, source.Endpoint, target.Id, target.Endpoint, slots, original, options.Keys, keysInSlots);
        var methods = new Methods(dashboard, cluster, Path.Combine(binDirectory, "valkey-cli"), _password, scenario);
        var results = Enum.GetValues<MigrationMethod>().ToDictionary(m => m, _ => new List<Measurement>());
        for (var round = 1; round <= options.Rounds; round++)
        {
            // (a) and (b) swap places every other round, so neither always runs on a cluster the other just worked.
            var order = round % 2 == 1
                ? new[] { MigrationMethod.DashboardApi, MigrationMethod.MigrateSlots, MigrationMethod.CliAtomicReshard, MigrationMethod.DashboardKeysApi, MigrationMethod.CliLegacyReshard }
                : new[] { MigrationMethod.MigrateSlots, MigrationMethod.DashboardApi, MigrationMethod.CliAtomicReshard, MigrationMethod.DashboardKeysApi, MigrationMethod.CliLegacyReshard };
            foreach (var method in order)
            {
                await cluster.WaitUntilSettledAsync($"the original layout before ({Methods.Letter(method)})",
                    layout => layout.SameOwnership(original) ? null : $"the layout is {layout}, expected {original}", cancellationToken);
                var measurement = await MeasureUnderLoadAsync(methods, method, cluster, cancellationToken);
                results[method].Add(measurement);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Round {round}/{options.Rounds} ({Methods.Letter(method)}): {measurement.Total.TotalSeconds:0.000} s (there {measurement.There.Elapsed.TotalSeconds:0.000} s, back {measurement.Back.Elapsed.TotalSeconds:0.000} s; slots moved {measurement.There.SlotsMoved}/{measurement.Back.SlotsMoved})"));

                // valkey-cli chooses the slots it moves: put the exact original layout back (untimed).
                await cluster.RestoreAsync(original, cancellationToken);
                await cluster.WaitForKeyCountAsync(options.Keys, $"restoring the layout after ({Methods.Letter(method)})", cancellationToken);
            }
        }

        var report = new BenchmarkReport(options, scenario, loadTime, results, await MachineDescriptionAsync(cluster, source.Endpoint, cancellationToken));
        var markdown = report.ToMarkdown();
        var path = Path.Combine(_root, "artifacts", "benchmarks", "migrations.md");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, markdown, cancellationToken);
        Console.WriteLine();
        Console.WriteLine(markdown);
        Console.WriteLine($"(written to {Path.GetRelativePath(_root, path)})");
    }

    /// <summary>One there-and-back, with the steady client load of <c>--load</c> running through it when asked for.</summary>
    private async Task<Measurement> MeasureUnderLoadAsync(Methods methods, MigrationMethod method, ValkeyCluster cluster, CancellationToken cancellationToken)
    {
        if (options.LoadOpsPerSecond == 0)
        {
            return await methods.MeasureAsync(method, cancellationToken);
        }

        using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var load = cluster.RunCountedLoadAsync(options.Keys, options.LoadOpsPerSecond, stopLoad.Token);
        try
        {
            var measurement = await methods.MeasureAsync(method, cancellationToken);
            await stopLoad.CancelAsync();
            return measurement with { Load = await load };
        }
        finally
        {
            await stopLoad.CancelAsync();
            await load.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private static async Task<string> MachineDescriptionAsync(ValkeyCluster cluster, string endpoint, CancellationToken cancellationToken)
    {
        var nproc = (await ExternalCommand.RunAsync("nproc", [], TimeSpan.FromSeconds(10), cancellationToken)).EnsureSuccess().Output.Trim();
        var cpu = File.Exists("/proc/cpuinfo")
            ? (await File.ReadAllLinesAsync("/proc/cpuinfo", cancellationToken)).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        var valkey = await cluster.ServerVersionAsync(endpoint);
        return string.Create(CultureInfo.InvariantCulture,
            $"{nproc} cores (`nproc`){(cpu is null ? string.Empty : $", {cpu}")}, {memory:0} GiB, {RuntimeInformation.OSDescription}; Valkey {valkey}, .NET {Environment.Version}");
    }

    private void RequirePortsFree()
    {
        var ports = Enumerable.Range(BasePort, NodeCount).SelectMany(p => new[] { p, p + BusPortOffset }).Prepend(DashboardPort);
        var busy = ports.Where(p => !PortProbe.IsFree(IPAddress.Loopback, p)).ToList();
        if (busy.Count > 0)
        {
            throw new BenchmarkFailedException(
                $"port(s) {string.Join(", ", busy)} on 127.0.0.1 are in use; the benchmark needs {DashboardPort}, {BasePort}-{BasePort + NodeCount - 1} " +
                $"and {BasePort + BusPortOffset}-{BasePort + BusPortOffset + NodeCount - 1} free (another benchmark or dashboard running? try `pgrep -af 'valkey-server|ValkeyDashboard'`)");
        }
    }

    /// <summary>
    /// After the dashboard has stopped: no valkey-server may still listen on the benchmark's ports (any that does is
    /// terminated and reported), and the scratch folder is deleted. Returns what went wrong, or null.
    /// </summary>
    private async Task<string?> CleanUpAsync(string scratch)
    {
        var problems = new List<string>();
        if (_dashboard is { StoppedGracefully: false })
        {
            problems.Add($"the dashboard did not stop within {DashboardProcess.GracefulStopTimeout.TotalSeconds:0} s of SIGTERM and was killed");
        }

        var left = await NodesLeftAsync();
        if (left.Count > 0)
        {
            problems.Add($"valkey-server processes were left running on the benchmark's ports (now sent SIGTERM):\n  {string.Join("\n  ", left.Select(n => n.Line))}");
            foreach (var (pid, _) in left)
            {
                await ExternalCommand.RunAsync("kill", ["-TERM", pid], TimeSpan.FromSeconds(10), CancellationToken.None);
            }
        }

        try
        {
            Directory.Delete(scratch, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problems.Add($"could not delete {scratch}: {ex.Message}");
        }

        return problems.Count == 0 ? null : string.Join('\n', problems);
    }

    /// <summary><c>pgrep -af valkey-server</c>, narrowed to the benchmark's node ports.</summary>
    private static async Task<IReadOnlyList<(string Pid, string Line)>> NodesLeftAsync()
    {
        var pgrep = await ExternalCommand.RunAsync("pgrep", ["-af", "valkey-server"], TimeSpan.FromSeconds(10), CancellationToken.None);
        return [.. pgrep.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => BenchmarkNodePort().IsMatch(line))
            .Select(line => (line.Split(' ', 2)[0], line))];
    }

    internal static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ValkeyDashboard.sln")))
            {
                return directory.FullName;
            }
        }

        throw new BenchmarkFailedException($"no ValkeyDashboard.sln above {AppContext.BaseDirectory}: run the benchmark from the repository");
    }

    [GeneratedRegex(@":770[0-5](\D|$)")]
    private static partial Regex BenchmarkNodePort();
}
