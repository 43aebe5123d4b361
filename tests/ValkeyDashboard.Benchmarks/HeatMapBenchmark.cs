using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace ValkeyDashboard.Benchmarks;

/// <summary>
/// The heat map measured in a real browser against peers in the same run: bytes each refresh sends to the browser
/// against the JSON of <c>GET /api/slots</c> (the same figures, uncompressed); the time to draw a frame against drawing
/// every cell with <c>fillRect</c>; and the dashboard's CPU with one browser open against the same dashboard with none.
/// </summary>
internal sealed class HeatMapBenchmark(BenchmarkOptions options, DashboardProcess dashboard, ValkeyCluster cluster, string machine, string root)
{
    public const int LoadOpsPerSecond = 2_000;
    public const int WarmUpSeconds = 45;

    /// <summary>Issue 4's targets.</summary>
    public const int FullFrameTargetBytes = 32 * 1024;
    public const double DrawTargetMilliseconds = 16;
    public const double CpuTargetPercent = 5;

    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        BenchmarkBrowser.Require();

        Console.WriteLine($"Loading {options.Keys:N0} keys of 100 bytes ...");
        await cluster.LoadKeysAsync(options.Keys, cancellationToken);
        await cluster.WaitForKeyCountAsync(options.Keys, "loading", cancellationToken);
        var seconds = options.Seconds;

        // Code that runs once a second is compiled again, optimised, after about 30 calls: measure after that.
        var warmUp = TimeSpan.FromSeconds(WarmUpSeconds);
        Console.WriteLine($"Phase 1: no browser, cluster idle, {seconds} s after {WarmUpSeconds} s of warm-up");
        await Task.Delay(warmUp, cancellationToken);
        var noBrowser = await MeasureCpuAsync(seconds, cancellationToken);

        using var http = new HttpClient { BaseAddress = dashboard.BaseAddress };
        var slotsJsonBytes = (await http.GetByteArrayAsync(new Uri("/api/slots", UriKind.Relative), cancellationToken)).Length;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BenchmarkBrowser.LaunchAsync(playwright);
        var page = await BenchmarkBrowser.NewPageAsync(browser);
        var socket = new SocketBytes();
        var cdp = await page.Context.NewCDPSessionAsync(page);
        cdp.Event("Network.webSocketFrameReceived").OnEvent += (_, e) => socket.Add(e);
        await cdp.SendAsync("Network.enable");

        await page.GotoAsync(dashboard.BaseAddress.ToString());
        await page.WaitForFunctionAsync("() => performance.getEntriesByName('heatmap-frame').length > 0", null, new() { Timeout = 60_000 });
        var first = (await FramesAsync(page))[0];
        Console.WriteLine($"  first frame: {first.Bytes:N0} bytes, {first.Sections} layers");
        // Until every layer has reached the browser (the encoder defers layers that do not fit a frame).
        await Poll.UntilAsync("every layer to reach the browser",
            async () => (await FramesAsync(page)).Sum(f => f.Sections) >= 5 ? null : "not all layers sent yet", TimeSpan.FromSeconds(30), Poll.SetupInterval, cancellationToken);
        var largest = (await FramesAsync(page)).Max(f => f.Bytes);

        Console.WriteLine($"Phase 2: one browser (owner colours), cluster idle, {seconds} s after {WarmUpSeconds} s of warm-up");
        await Task.Delay(warmUp, cancellationToken);
        await ClearAsync(page);
        socket.Reset();
        var idle = await MeasureCpuAsync(seconds, cancellationToken);
        var idleFrames = await FramesAsync(page);
        var idleSocket = socket.Bytes;

        Console.WriteLine($"Phase 3: one browser showing CPU per slot, {LoadOpsPerSecond:N0} commands/s of load, {seconds} s");
        await page.GetByTestId("metric-cpu").ClickAsync();
        using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var load = cluster.RunLoadAsync(options.Keys, LoadOpsPerSecond, stopLoad.Token);
        await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken); // rates need two polls under load; the new paths warm up
        await ClearAsync(page);
        socket.Reset();
        var busy = await MeasureCpuAsync(seconds, cancellationToken);
        var busyFrames = await FramesAsync(page);
        var busySocket = socket.Bytes;
        await stopLoad.CancelAsync();
        var (commands, failures) = await load;

        var draws = await page.EvaluateAsync<double[]>("() => performance.getEntriesByName('heatmap-draw').map(e => e.duration)");
        var naive = await page.EvaluateAsync<double[]>(NaiveDrawScript);

        var report = Report(first, largest, slotsJsonBytes, noBrowser, idle, idleFrames, idleSocket, busy, busyFrames, busySocket, draws, naive, commands, failures);
        var path = Path.Combine(root, "artifacts", "benchmarks", "heatmap.md");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, report, cancellationToken);
        Console.WriteLine();
        Console.WriteLine(report);
        Console.WriteLine($"(written to {Path.GetRelativePath(root, path)})");
    }

    /// <summary>Every cell drawn with its own fillRect and fillStyle on a canvas of the heat map's size, 20 times; milliseconds each.</summary>
    private const string NaiveDrawScript = """
        () => {
            const source = document.querySelector('[data-testid="slot-heatmap"]');
            const canvas = document.createElement('canvas');
            canvas.width = source.width; canvas.height = source.height;
            document.body.appendChild(canvas);
            const context = canvas.getContext('2d');
            const cell = canvas.width / 128;
            const times = [];
            for (let round = 0; round < 20; round++) {
                const start = performance.now();
                for (let slot = 0; slot < 16384; slot++) {
                    const v = (slot * 7919 + round) % 256;
                    context.fillStyle = `rgb(${v},${255 - v},${(v * 3) % 256})`;
                    context.fillRect((slot % 128) * cell, Math.floor(slot / 128) * cell, cell, cell);
                }
                context.getImageData(0, 0, 1, 1); // wait for the drawing to finish, as a frame would
                times.push(performance.now() - start);
            }
            canvas.remove();
            return times;
        }
        """;

    private sealed record Frame(int Bytes, int Sections);

    private static async Task<IReadOnlyList<Frame>> FramesAsync(IPage page)
    {
        var frames = await page.EvaluateAsync<JsonElement>("() => performance.getEntriesByName('heatmap-frame').map(e => e.detail)");
        return [.. frames.EnumerateArray().Select(f => new Frame(f.GetProperty("bytes").GetInt32(), f.GetProperty("sections").GetInt32()))];
    }

    private static async Task ClearAsync(IPage page) =>
        await page.EvaluateAsync("() => { performance.clearMarks('heatmap-frame'); performance.clearMeasures('heatmap-draw'); }");

    private sealed record Cpu(double DashboardPercent, double ClusterPercent, TimeSpan Elapsed);

    /// <summary>CPU of the dashboard process and of the cluster's valkey-server processes over <paramref name="seconds"/>, in % of one core.</summary>
    private async Task<Cpu> MeasureCpuAsync(int seconds, CancellationToken cancellationToken)
    {
        var nodes = ClusterProcessIds();
        var (dashboardBefore, clusterBefore) = (Ticks(dashboard.ProcessId), nodes.Sum(Ticks));
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
        var elapsed = clock.Elapsed;
        var dashboardPercent = (Ticks(dashboard.ProcessId) - dashboardBefore) / TicksPerSecond / elapsed.TotalSeconds * 100;
        var clusterPercent = (nodes.Sum(Ticks) - clusterBefore) / TicksPerSecond / elapsed.TotalSeconds * 100;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  dashboard {dashboardPercent:0.00} % of a core, cluster {clusterPercent:0.00} %"));
        return new Cpu(dashboardPercent, clusterPercent, elapsed);
    }

    /// <summary>utime + stime of a process, in clock ticks.</summary>
    internal static long Ticks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    /// <summary>The benchmark cluster's valkey-server processes (ports 12700-12705).</summary>
    private static List<int> ClusterProcessIds() =>
        [.. Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0)
            .Where(pid =>
            {
                try
                {
                    var command = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
                    return command.Contains("valkey-server", StringComparison.Ordinal) && command.Contains(":127", StringComparison.Ordinal);
                }
                catch (IOException)
                {
                    return false;
                }
            })];

    /// <summary>Bytes of every WebSocket message the page received (the Blazor circuit), as Chromium's network log counts them.</summary>
    private sealed class SocketBytes
    {
        private long _bytes;

        public long Bytes => Interlocked.Read(ref _bytes);

        public void Reset() => Interlocked.Exchange(ref _bytes, 0);

        public void Add(JsonElement? message)
        {
            if (message is not { } e || !e.TryGetProperty("response", out var response))
            {
                return;
            }

            var payload = response.GetProperty("payloadData").GetString() ?? string.Empty;
            var bytes = response.GetProperty("opcode").GetInt32() == 2
                ? payload.Length / 4 * 3 - payload.Count(c => c == '=') // base64 of a binary message
                : Encoding.UTF8.GetByteCount(payload);
            Interlocked.Add(ref _bytes, bytes);
        }
    }

    private string Report(
        Frame first, int largest, int slotsJsonBytes, Cpu noBrowser,
        Cpu idle, IReadOnlyList<Frame> idleFrames, long idleSocket,
        Cpu busy, IReadOnlyList<Frame> busyFrames, long busySocket,
        double[] draws, double[] naive, long commands, long failures)
    {
        static double Percentile(IReadOnlyList<double> values, double p)
        {
            if (values.Count == 0)
            {
                return double.NaN;
            }

            var sorted = values.Order().ToList();
            return sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];
        }

        var idlePerRefresh = idleFrames.Count == 0 ? 0 : idleFrames.Average(f => f.Bytes);
        var busyPerRefresh = busyFrames.Count == 0 ? 0 : busyFrames.Average(f => f.Bytes);
        var drawP50 = Percentile(draws, 0.5);
        var drawP95 = Percentile(draws, 0.95);
        var naiveP50 = Percentile(naive, 0.5);
        var s = options.Seconds;
        var c = CultureInfo.InvariantCulture;
        var markdown = new StringBuilder();
        markdown.AppendLine(c, $"Command: `{options.CommandLine}` ({options.Keys:N0} keys, {s} s per phase after {WarmUpSeconds} s of warm-up, headless Chromium at 1366×768, 6-node embedded cluster, 1 s refresh)");
        markdown.AppendLine();
        markdown.AppendLine(c, $"Machine: {machine}");
        markdown.AppendLine();
        markdown.AppendLine("| Measure | Heat map | Peer | Ratio | Target |");
        markdown.AppendLine("| --- | ---: | ---: | ---: | --- |");
        markdown.AppendLine(c, $"| First frame (all 16,384 slots: owners + shown layer + what fits) | {first.Bytes:N0} B | `GET /api/slots` JSON: {slotsJsonBytes:N0} B | {(double)first.Bytes / slotsJsonBytes:0.000} | ≤ {FullFrameTargetBytes:N0} B: {(first.Bytes <= FullFrameTargetBytes ? "met" : "MISSED")} |");
        markdown.AppendLine(c, $"| Largest frame seen | {largest:N0} B | {slotsJsonBytes:N0} B | {(double)largest / slotsJsonBytes:0.000} | ≤ {FullFrameTargetBytes:N0} B: {(largest <= FullFrameTargetBytes ? "met" : "MISSED")} |");
        markdown.AppendLine(c, $"| Per refresh, idle cluster ({idleFrames.Count} frames in {s} s) | {idlePerRefresh:N0} B | {slotsJsonBytes:N0} B | {idlePerRefresh / slotsJsonBytes:0.0000} | much less than a full frame |");
        markdown.AppendLine(c, $"| Per refresh, CPU layer under {LoadOpsPerSecond:N0} commands/s ({busyFrames.Count} frames) | {busyPerRefresh:N0} B | {slotsJsonBytes:N0} B | {busyPerRefresh / slotsJsonBytes:0.000} | ≤ {FullFrameTargetBytes:N0} B |");
        markdown.AppendLine(c, $"| Everything the page received per second (WebSocket), idle / under load | {idleSocket / idle.Elapsed.TotalSeconds:N0} / {busySocket / busy.Elapsed.TotalSeconds:N0} B/s | | | |");
        markdown.AppendLine(c, $"| Drawing one frame, median (p95, max; {draws.Length} frames) | {drawP50:0.0} ms ({drawP95:0.0}, {draws.DefaultIfEmpty().Max():0.0}) | one fillRect per cell: {naiveP50:0.0} ms | {drawP50 / naiveP50:0.00} | ≤ {DrawTargetMilliseconds} ms: {(drawP95 <= DrawTargetMilliseconds ? "met" : "MISSED")} |");
        markdown.AppendLine(c, $"| Dashboard CPU, one browser, idle cluster | {idle.DashboardPercent:0.00} % of a core | no browser: {noBrowser.DashboardPercent:0.00} % | {idle.DashboardPercent / Math.Max(0.01, noBrowser.DashboardPercent):0.00} | < {CpuTargetPercent} %: {(idle.DashboardPercent < CpuTargetPercent ? "met" : "MISSED")} |");
        markdown.AppendLine(c, $"| Dashboard CPU, one browser, under load | {busy.DashboardPercent:0.00} % of a core | cluster (6 valkey-server): {busy.ClusterPercent:0.00} % | {busy.DashboardPercent / Math.Max(0.01, busy.ClusterPercent):0.00} | < {CpuTargetPercent} %: {(busy.DashboardPercent < CpuTargetPercent ? "met" : "MISSED")} |");
        markdown.AppendLine();
        markdown.AppendLine(c, $"Load: {commands:N0} commands (half GET, half SET), {failures:N0} failed.");
        return markdown.ToString();
    }
}
