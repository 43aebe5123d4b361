using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using ValkeyDashboard.Cluster.History;
using ValkeyDashboard.Cluster.Storage;

namespace ValkeyDashboard.Benchmarks;

/// <summary>
/// The slot history measured against peers in one run: (1) the bytes a day of history takes in the dashboard's
/// database for a 16,384-slot cluster under load, against the raw per-slot figures of the same points, from points the
/// dashboard recorded from the cluster under load, cycled and varied to fill a day; (2) in headless Chromium, the time
/// from moving the time slider to the map painted with that moment, against going back to the live map (the Live
/// button) through the same path, and against a live frame's arrival to its paint.
/// </summary>
internal sealed class HistoryBenchmark(BenchmarkOptions options, DashboardProcess dashboard, ValkeyCluster cluster, string machine, string root)
{
    public const int LoadOpsPerSecond = 2_000;

    /// <summary>Issue 13's targets.</summary>
    public const double BytesPerDayTarget = 25 * 1024 * 1024;
    public const double PaintTargetMilliseconds = 100;

    /// <summary>A point's raw figures: keys, CPU µs, network in, network out as 8-byte counters, and a 2-byte owner, per slot.</summary>
    private const int RawBytesPerPoint = 16_384 * (4 * sizeof(long) + sizeof(short));

    /// <summary>A point's quantised layers unpacked: five layers of a byte per slot.</summary>
    private const int QuantisedBytesPerPoint = 5 * 16_384;

    private const int PaintRounds = 30;

    /// <summary>Points a day of history keeps with the default tiers: the last hour's 10 s points, the day's 1 min points, the day's share of the 10 min points.</summary>
    private static readonly (string Tier, TimeSpan Interval, int Points)[] DayOfHistory =
    [
        ("10 s (last hour)", TimeSpan.FromSeconds(10), 360),
        ("1 min (last day)", TimeSpan.FromMinutes(1), 1_440),
        ("10 min (a day of the week)", TimeSpan.FromMinutes(10), 144),
    ];

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        BenchmarkBrowser.Require();

        Console.WriteLine($"Loading {options.Keys:N0} keys of 100 bytes ...");
        await cluster.LoadKeysAsync(options.Keys, cancellationToken);
        await cluster.WaitForKeyCountAsync(options.Keys, "loading", cancellationToken);

        using var http = new HttpClient { BaseAddress = dashboard.BaseAddress };
        using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var load = cluster.RunLoadAsync(options.Keys, LoadOpsPerSecond, stopLoad.Token);
        var start = DateTimeOffset.UtcNow;
        Console.WriteLine($"Recording: {LoadOpsPerSecond:N0} commands/s over every slot for {options.Seconds} s (a history point every 10 s)");
        await Task.Delay(TimeSpan.FromSeconds(options.Seconds), cancellationToken);
        var recorded = await RecordedPointsAsync(http, start, cancellationToken);
        Console.WriteLine($"  {recorded.Count} points recorded");
        if (recorded.Count < 3)
        {
            throw new BenchmarkFailedException($"only {recorded.Count} history points were recorded in {options.Seconds} s; run longer (--seconds)");
        }

        Console.WriteLine($"Painting: {PaintRounds} slider moves and as many returns to Live in headless Chromium, under load");
        var paint = await MeasurePaintAsync(recorded, cancellationToken);
        await stopLoad.CancelAsync();
        var (commands, failures) = await load;

        // After the load stopped: its client runs in this process, and the encoder's CPU is measured as this process's.
        Console.WriteLine("Storing a day of varied points in a scratch database ...");
        var storage = await StoreDayAsync(recorded, cancellationToken);

        var report = Report(recorded.Count, storage, paint, commands, failures);
        var path = Path.Combine(root, "artifacts", "benchmarks", "history.md");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, report, cancellationToken);
        Console.WriteLine();
        Console.WriteLine(report);
        Console.WriteLine($"(written to {Path.GetRelativePath(root, path)})");
    }

    /// <summary>Every point the dashboard stored since <paramref name="start"/>, with all layers, read back through <c>GET /api/slots/history?at=</c>.</summary>
    private static async Task<List<SlotHistoryPoint>> RecordedPointsAsync(HttpClient http, DateTimeOffset start, CancellationToken cancellationToken)
    {
        var range = await http.GetFromJsonAsync<JsonElement>($"/api/slots/history?from={Uri.EscapeDataString(start.ToString("O"))}&metric=owner", cancellationToken);
        var points = new List<SlotHistoryPoint>();
        foreach (var at in range.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("at").GetDateTimeOffset()))
        {
            var moment = await http.GetFromJsonAsync<JsonElement>($"/api/slots/history?at={Uri.EscapeDataString(at.ToString("O"))}", cancellationToken);
            var owners = moment.GetProperty("owners").EnumerateArray().Select(o => new SlotHistoryOwner(o.GetProperty("id").GetString()!, o.GetProperty("endpoint").GetString()!)).ToImmutableArray();
            var layers = new byte[]?[SlotHistoryPoint.LayerCount];
            var scales = new double[SlotHistoryPoint.LayerCount];
            string[] names = ["owner", "keys", "cpu", "networkIn", "networkOut"];
            for (var layer = 0; layer < names.Length; layer++)
            {
                if (moment.GetProperty(names[layer]) is { ValueKind: JsonValueKind.Object } value)
                {
                    layers[layer] = Convert.FromBase64String(value.GetProperty("values").GetString()!);
                    scales[layer] = value.GetProperty("scale").GetDouble();
                }
            }

            points.Add(new SlotHistoryPoint(at, owners, [.. layers], [.. scales]));
        }

        return points;
    }

    private sealed record TierSize(string Tier, int Points, long Bytes, double EncodeCpuMilliseconds);

    /// <summary>One Brotli quality on the same sample of points: bytes and encode CPU per point per tier.</summary>
    private sealed record QualitySize(int Quality, double[] BytesPerPoint, double[] CpuMillisecondsPerPoint);

    /// <summary>Where a tier's bytes go, on the quality sample: keyframes against deltas, and each layer packed alone.</summary>
    private sealed record Breakdown(string Tier, double KeyframeBytes, double DeltaBytes, double[] WholeLayerBytes, double[] DeltaLayerBytes, double[] EntropyBits, double InGivenCpuBits, double OutGivenInBits);

    /// <summary>One number of load bits on the same sample of points: bytes per point per tier.</summary>
    private sealed record BitsSize(int Bits, double[] BytesPerPoint);

    private sealed record Storage(IReadOnlyList<TierSize> Tiers, long FileBytes, double ReadMillisecondsPerMoment, IReadOnlyList<QualitySize> Qualities, IReadOnlyList<Breakdown> Breakdowns, IReadOnlyList<BitsSize> Bits);

    /// <summary>Load bits compared on the same points (each tier stores at its own, <see cref="SlotHistoryOptions.LoadBitsOf"/>).</summary>
    private static readonly int[] SweptBits = [3, 4, 5, 6, 7];

    /// <summary>Brotli qualities compared on the same points (the store writes at <see cref="SlotHistoryCodec.DefaultQuality"/>).</summary>
    private static readonly int[] Qualities = [4, 5, 6, 9];

    /// <summary>Points of each tier (its first, from a keyframe on) encoded at every quality of <see cref="Qualities"/>.</summary>
    private const int QualitySample = 60;

    /// <summary>
    /// A day of points per tier, stored through the dashboard's own <see cref="SlotHistoryStore"/> in a scratch SQLite
    /// file (see <see cref="DayOfTier"/> for the points); then the first <see cref="QualitySample"/> points of each tier
    /// encoded at each of <see cref="Qualities"/>, with the store's keyframes.
    /// </summary>
    private static async Task<Storage> StoreDayAsync(List<SlotHistoryPoint> recorded, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), $"history-benchmark-{Guid.NewGuid():N}.db");
        var sizes = new List<TierSize>();
        var defaults = new SlotHistoryOptions();
        var keyframeEvery = defaults.KeyframeEvery;
        var bitsBytes = SweptBits.Select(_ => new double[DayOfHistory.Length]).ToArray();
        var qualityBytes = Qualities.Select(_ => new double[DayOfHistory.Length]).ToArray();
        var qualityCpu = Qualities.Select(_ => new double[DayOfHistory.Length]).ToArray();
        var breakdowns = new List<Breakdown>();
        double readMilliseconds;
        try
        {
            var day = DateTimeOffset.UtcNow.Date;
            using (var database = new DashboardDatabase(path))
            using (var store = new SlotHistoryStore(database, keyframeEvery))
            {
                await database.IdentifyClusterAsync([.. recorded[0].Owners.Select(o => o.Id)], DateTimeOffset.UtcNow, cancellationToken);
                for (var tier = 0; tier < DayOfHistory.Length; tier++)
                {
                    var (name, _, count) = DayOfHistory[tier];
                    var rates = DayOfTier(recorded, tier, day);
                    // The recorder's own rule: the tier's load bits (SlotHistoryOptions.LoadBitsOf), the point's WithLoadBits.
                    var points = rates.Select(p => p.WithLoadBits(defaults.LoadBitsOf(tier))).ToList();
                    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                    foreach (var point in points)
                    {
                        await store.AppendAsync(tier, point, cancellationToken);
                    }

                    var encode = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / count;
                    var stored = (await store.SizeAsync(cancellationToken))[tier];
                    sizes.Add(new TierSize(name, (int)stored.Points, stored.Bytes, encode));

                    for (var q = 0; q < Qualities.Length; q++)
                    {
                        var sample = points.Take(QualitySample).ToList();
                        var bytes = 0L;
                        cpu = Process.GetCurrentProcess().TotalProcessorTime;
                        for (var i = 0; i < sample.Count; i++)
                        {
                            bytes += SlotHistoryCodec.Encode(sample[i], i % keyframeEvery == 0 ? null : sample[i - 1], Qualities[q]).Length;
                        }

                        qualityCpu[q][tier] = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / sample.Count;
                        qualityBytes[q][tier] = bytes / (double)sample.Count;
                    }

                    for (var b = 0; b < SweptBits.Length; b++)
                    {
                        var sample = rates.Take(QualitySample).Select(p => p.WithLoadBits(SweptBits[b])).ToList();
                        bitsBytes[b][tier] = sample.Select((p, i) => SlotHistoryCodec.Encode(p, i % keyframeEvery == 0 ? null : sample[i - 1]).Length).Average();
                    }

                    breakdowns.Add(BreakDown(name, [.. points.Take(QualitySample)], keyframeEvery));
                    Console.WriteLine($"  {name}: {stored.Points:N0} points, {stored.Bytes:N0} B");
                }

                // Reading a moment back, as the slider does: decoded from its keyframe on.
                var random = new Random(13);
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < 50; i++)
                {
                    await store.ReadAtAsync(day + TimeSpan.FromMinutes(random.Next(1_440)), cancellationToken);
                }

                readMilliseconds = clock.Elapsed.TotalMilliseconds / 50;
            }

            // The file as it stays: the WAL folded in.
            DashboardDatabase.Open(path, "PRAGMA wal_checkpoint(TRUNCATE);").Dispose();

            return new Storage(sizes, new FileInfo(path).Length, readMilliseconds, [.. Qualities.Select((q, i) => new QualitySize(q, qualityBytes[i], qualityCpu[i]))], breakdowns, [.. SweptBits.Select((b, i) => new BitsSize(b, bitsBytes[i]))]);
        }
        finally
        {
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>
    /// Per point on average: the bytes of keyframes and of deltas as the store writes them, and of each layer packed
    /// alone by Brotli (the store's quality) whole and as its byte difference from the point before, with its order-0
    /// entropy in bits per slot (what no byte-wise coder packs below).
    /// </summary>
    private static Breakdown BreakDown(string tier, List<SlotHistoryPoint> points, int keyframeEvery)
    {
        var (keyframes, keyframeBytes, deltaBytes) = (0, 0.0, 0.0);
        var whole = new double[SlotHistoryPoint.LayerCount];
        var delta = new double[SlotHistoryPoint.LayerCount];
        var entropy = new double[SlotHistoryPoint.LayerCount];
        for (var i = 0; i < points.Count; i++)
        {
            var keyframe = i % keyframeEvery == 0;
            var length = SlotHistoryCodec.Encode(points[i], keyframe ? null : points[i - 1]).Length;
            keyframes += keyframe ? 1 : 0;
            (keyframeBytes, deltaBytes) = keyframe ? (keyframeBytes + length, deltaBytes) : (keyframeBytes, deltaBytes + length);
            for (var layer = 0; layer < SlotHistoryPoint.LayerCount; layer++)
            {
                if (points[i].Layers[layer] is not { } now)
                {
                    continue;
                }

                whole[layer] += Packed(now) / (double)points.Count;
                entropy[layer] += EntropyBits(now) / points.Count;
                var before = i == 0 ? new byte[now.Length] : points[i - 1].Layers[layer]!;
                delta[layer] += Packed([.. now.Select((b, slot) => unchecked((byte)(b - before[slot])))]) / (double)points.Count;
            }
        }

        // What a slot's network layers say once its figure in the layer before is known (conditional entropy), which
        // the store's load coder uses and Brotli, seeing each layer alone, cannot.
        var (inGivenCpu, outGivenIn) = (0.0, 0.0);
        foreach (var point in points)
        {
            if (point.Layers[2] is { } cpu && point.Layers[3] is { } networkIn && point.Layers[4] is { } networkOut)
            {
                inGivenCpu += ConditionalBits(networkIn, cpu) / points.Count;
                outGivenIn += ConditionalBits(networkOut, networkIn) / points.Count;
            }
        }

        return new Breakdown(tier, keyframeBytes / Math.Max(1, keyframes), deltaBytes / Math.Max(1, points.Count - keyframes), whole, delta, entropy, inGivenCpu, outGivenIn);

        static double ConditionalBits(byte[] bytes, byte[] given) =>
            bytes.Select((b, slot) => (Given: given[slot], Value: b)).GroupBy(x => x.Given)
                .Sum(g => g.Count() / (double)bytes.Length * EntropyBits([.. g.Select(x => x.Value)]));

        static int Packed(byte[] bytes)
        {
            var output = new byte[System.IO.Compression.BrotliEncoder.GetMaxCompressedLength(bytes.Length)];
            System.IO.Compression.BrotliEncoder.TryCompress(bytes, output, out var written, SlotHistoryCodec.DefaultQuality, 17);
            return written;
        }

        static double EntropyBits(byte[] bytes) => -bytes.CountBy(b => b).Sum(g => g.Value / (double)bytes.Length * Math.Log2(g.Value / (double)bytes.Length));
    }

    /// <summary>
    /// A day of points of <paramref name="tier"/> as the recorder would give it under the recorded load. CPU and network
    /// are rates over the tier's own interval, as the recorder takes them (counters against the tier's last point): the
    /// mean of that many recorded 10 s rates (a 1 min point of 6, a 10 min point of 60), picked at random from the
    /// recorded points (each an independent sample of the load), requantised as the heat map does, every bit kept (the
    /// caller keeps the tier's load bits as the recorder does). Keys are the moment's (growing in 1 slot of 200 per point) and every hour 100 slots change
    /// owner.
    /// </summary>
    private static List<SlotHistoryPoint> DayOfTier(List<SlotHistoryPoint> recorded, int tier, DateTime day)
    {
        var (_, interval, count) = DayOfHistory[tier];
        var samples = (int)(interval / DayOfHistory[0].Interval);
        var random = new Random(13 + tier);
        var owners = recorded[0].Layers[0]!.ToArray();
        var keys = recorded[0].Layers[1]!.ToArray();
        var scales = recorded[0].Scales.ToArray();
        var points = new List<SlotHistoryPoint>(count);
        for (var i = 0; i < count; i++)
        {
            if (i > 0 && i % (int)(TimeSpan.FromHours(1) / interval) == 0)
            {
                var from = random.Next(16_384 - 100);
                owners.AsSpan(from, 100).Fill((byte)random.Next(recorded[0].Owners.Length));
            }

            for (var slot = 0; slot < keys.Length; slot++)
            {
                if (random.Next(200) == 0 && keys[slot] < 255)
                {
                    keys[slot]++;
                }
            }

            var basis = Enumerable.Range(0, samples).Select(_ => recorded[random.Next(recorded.Count)]).ToList();
            var layers = new byte[]?[SlotHistoryPoint.LayerCount];
            layers[0] = owners.ToArray();
            layers[1] = keys.ToArray();
            for (var layer = SlotHistoryPoint.FirstLoadLayer; layer < SlotHistoryPoint.LayerCount; layer++)
            {
                (layers[layer], scales[layer]) = samples == 1 ? (basis[0].Layers[layer], basis[0].Scales[layer]) : Mean(basis, layer, scales[layer]);
            }

            points.Add(new SlotHistoryPoint(day + i * interval, recorded[0].Owners, [.. layers], [.. scales]));
        }

        return points;
    }

    /// <summary>
    /// The mean of one layer's figures over <paramref name="points"/>, quantised again with the heat map's logarithmic
    /// steps (<c>SlotHeatQuantizer</c>, in the dashboard project): a byte b stands for exp(b/255 · ln(1 + scale)) − 1;
    /// the scale kept while the largest mean fits between a sixteenth of it and it, else the next power of two.
    /// </summary>
    private static (byte[]? Layer, double Scale) Mean(List<SlotHistoryPoint> points, int layer, double current)
    {
        if (points[0].Layers[layer] is null)
        {
            return (null, 0);
        }

        var sums = new double[16_384];
        var figures = new double[256];
        foreach (var point in points)
        {
            var bytes = point.Layers[layer] ?? points[0].Layers[layer]!;
            var logScale = Math.Log(1 + point.Scales[layer]);
            for (var b = 1; b < 256; b++)
            {
                figures[b] = Math.Exp(b / 255.0 * logScale) - 1;
            }

            for (var slot = 0; slot < sums.Length; slot++)
            {
                sums[slot] += figures[bytes[slot]];
            }
        }

        var max = sums.Max() / points.Count;
        var scale = current >= 1 && max <= current && max > current / 16 ? current : Math.Max(1, Math.Pow(2, Math.Ceiling(Math.Log2(Math.Max(max, 1)))));
        var logOfScale = Math.Log(1 + scale);
        var result = new byte[16_384];
        for (var slot = 0; slot < result.Length; slot++)
        {
            var mean = sums[slot] / points.Count;
            result[slot] = mean <= 0 ? (byte)0 : (byte)Math.Clamp(Math.Round(255 * Math.Log(1 + mean) / logOfScale), 1, 255);
        }

        return (result, scale);
    }

    private sealed record Paint(double[] Slider, double[] Live, double[] LiveFrames, int NotPainted);

    /// <summary>Slider moves and returns to Live, each timed from the input event to the end of the map's next draw.</summary>
    private async Task<Paint> MeasurePaintAsync(List<SlotHistoryPoint> recorded, CancellationToken cancellationToken)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BenchmarkBrowser.LaunchAsync(playwright);
        var page = await BenchmarkBrowser.NewPageAsync(browser);
        await page.GotoAsync(dashboard.BaseAddress.ToString());
        await page.WaitForFunctionAsync("() => performance.getEntriesByName('heatmap-draw').length > 0", null, new() { Timeout = 60_000 });
        // CPU on screen: under load every point differs from the one before, so each move paints.
        await page.GetByTestId("metric-cpu").ClickAsync();
        await Assertions.Expect(page.GetByTestId("history-slider")).ToBeEnabledAsync(new() { Timeout = 60_000 });

        var slider = new List<double>();
        var live = new List<double>();
        var notPainted = 0;
        var max = int.Parse(await page.GetByTestId("history-slider").GetAttributeAsync("max") ?? "0", CultureInfo.InvariantCulture);
        for (var round = 0; round < PaintRounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Through the recorded points, 10 s apart, each a different moment from the live one.
            var position = Math.Max(0, max - 15 - 10 * (round % Math.Max(1, recorded.Count - 2)));
            var moved = await page.EvaluateAsync<double>(SliderScript, position);
            var back = await page.EvaluateAsync<double>(LiveScript);
            notPainted += (moved < 0 ? 1 : 0) + (back < 0 ? 1 : 0);
            if (moved >= 0)
            {
                slider.Add(moved);
            }

            if (back >= 0)
            {
                live.Add(back);
            }
        }

        var frames = await page.EvaluateAsync<double[]>(LiveFramesScript);
        return new Paint([.. slider], [.. live], frames, notPainted);
    }

    /// <summary>Waits (up to 5 s) for the map's next draw after <c>t0</c>; milliseconds from <c>t0</c> to its end, or -1.</summary>
    private const string NextDraw = """
        const deadline = t0 + 5000;
        while (performance.now() < deadline) {
            await new Promise(r => requestAnimationFrame(r));
            const drawn = performance.getEntriesByName('heatmap-draw').filter(e => e.startTime >= t0);
            if (drawn.length) { return drawn[0].startTime + drawn[0].duration - t0; }
        }
        return -1;
        """;

    private const string SliderScript = $$"""
        async position => {
            const input = document.querySelector('[data-testid="history-slider"]');
            const t0 = performance.now();
            input.value = String(position);
            input.dispatchEvent(new Event('change', { bubbles: true }));
            {{NextDraw}}
        }
        """;

    private const string LiveScript = $$"""
        async () => {
            const t0 = performance.now();
            document.querySelector('[data-testid="history-live"]').click();
            {{NextDraw}}
        }
        """;

    /// <summary>For live frames that arrived by themselves: from the frame's arrival to the end of the draw after it.</summary>
    private const string LiveFramesScript = """
        () => {
            const draws = performance.getEntriesByName('heatmap-draw');
            return performance.getEntriesByName('heatmap-frame')
                .map(f => { const d = draws.find(d => d.startTime >= f.startTime); return d ? d.startTime + d.duration - f.startTime : -1; })
                .filter(t => t >= 0);
        }
        """;

    private string Report(int recordedPoints, Storage storage, Paint paint, long commands, long failures)
    {
        var day = storage.Tiers.Sum(t => t.Bytes);
        var points = storage.Tiers.Sum(t => t.Points);
        var raw = (double)points * RawBytesPerPoint;
        var quantised = (double)points * QuantisedBytesPerPoint;
        var sliderMedian = Median(paint.Slider);
        var liveMedian = Median(paint.Live);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Slot history: {DateTimeOffset.UtcNow:yyyy-MM-dd}");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Command: `{options.CommandLine}`  ");
        text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {machine}  ");
        text.AppendLine(CultureInfo.InvariantCulture, $"Cluster: 3 primaries × 1 replica, {options.Keys:N0} keys of 100 B, {LoadOpsPerSecond:N0} commands/s (GET/SET of random keys, every slot) during the whole run ({commands:N0} commands, {failures:N0} failed)");
        text.AppendLine();
        text.AppendLine("## Bytes per day");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"{recordedPoints} points recorded by the dashboard (10 s apart) under that load, varied to a day per tier as the recorder would record it: CPU and network as rates over the tier's own interval (a 10 s point's layers those of a recorded point picked at random; a 1 min point the mean of 6 and a 10 min point the mean of 60 recorded points picked at random, quantised again as the heat map does), keys growing in 1 slot of 200 per point, 100 slots changing owner every hour; CPU and network kept to each tier's load bits as the recorder keeps them ({string.Join(" / ", DayOfHistory.Select((_, tier) => new SlotHistoryOptions().LoadBitsOf(tier)))} bits), stored through `SlotHistoryStore` (keyframe every 30 points, keys as byte deltas where they pack tighter, CPU and network through the load coder, which codes each slot's figure given the one before it in the same slot, then Brotli at quality {SlotHistoryCodec.DefaultQuality}) in a scratch SQLite file. Encode CPU is this process's CPU time (the load stopped) per point stored, SQLite's insert included.");
        text.AppendLine();
        text.AppendLine("| Tier | Points | Stored bytes | Bytes per point | Encode CPU per point |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var tier in storage.Tiers)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {tier.Tier} | {tier.Points:N0} | {tier.Bytes:N0} | {tier.Bytes / Math.Max(1, tier.Points):N0} | {tier.EncodeCpuMilliseconds:0.0} ms |");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"| **a day of history** | **{points:N0}** | **{day:N0} ({day / 1048576.0:0.0} MB)** | {day / Math.Max(1, points):N0} | |");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"- Against the raw per-slot figures of the same points ({RawBytesPerPoint:N0} B a point: four 8-byte counters and a 2-byte owner per slot, {raw / 1048576.0:N0} MB): **{day / raw:0.0000}** ({raw / day:N0}× smaller).");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Against the quantised layers unpacked ({QuantisedBytesPerPoint:N0} B a point, {quantised / 1048576.0:N0} MB): {day / quantised:0.000} ({quantised / day:0.0}× smaller).");
        text.AppendLine(CultureInfo.InvariantCulture, $"- The SQLite file after a checkpoint: {storage.FileBytes:N0} B ({storage.FileBytes / 1048576.0:0.0} MB). Target ≤ 25 MB a day: **{(storage.FileBytes <= BytesPerDayTarget ? "met" : "NOT met")}**.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Reading one moment back (nearest point, decoded from its keyframe): {storage.ReadMillisecondsPerMoment:0.0} ms on average (50 reads).");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Brotli quality on the same points (the first {QualitySample} of each tier, keyframes as stored; the day projected from the bytes per point of each tier; the codec alone, no SQLite):");
        text.AppendLine();
        text.AppendLine("| Quality | Bytes per point (10 s / 1 min / 10 min) | Encode CPU per point (10 s / 1 min / 10 min) | A day, projected |");
        text.AppendLine("| ---: | ---: | ---: | ---: |");
        foreach (var quality in storage.Qualities)
        {
            var projected = quality.BytesPerPoint.Select((b, tier) => b * DayOfHistory[tier].Points).Sum();
            var mark = quality.Quality == SlotHistoryCodec.DefaultQuality ? " (the store's)" : "";
            text.AppendLine(CultureInfo.InvariantCulture, $"| {quality.Quality}{mark} | {string.Join(" / ", quality.BytesPerPoint.Select(b => b.ToString("N0", CultureInfo.InvariantCulture)))} | {string.Join(" / ", quality.CpuMillisecondsPerPoint.Select(c => c.ToString("0.0", CultureInfo.InvariantCulture)))} ms | {projected / 1048576.0:0.0} MB |");
        }
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Load bits on the same points (the first {QualitySample} of each tier, keyframes as stored, the store's quality; each tier's bytes of a day projected from its bytes per point; the codec alone, no SQLite):");
        text.AppendLine();
        text.AppendLine("| Load bits | Bytes per point (10 s / 1 min / 10 min) | A day's bytes per tier, projected (10 s / 1 min / 10 min) |");
        text.AppendLine("| ---: | ---: | ---: |");
        foreach (var bits in storage.Bits)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {bits.Bits} | {string.Join(" / ", bits.BytesPerPoint.Select(b => b.ToString("N0", CultureInfo.InvariantCulture)))} | {string.Join(" / ", bits.BytesPerPoint.Select((b, tier) => (b * DayOfHistory[tier].Points / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture)))} MB |");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Where the bytes go (the same sample, per point on average; each layer packed alone by Brotli at quality {SlotHistoryCodec.DefaultQuality}, whole / as the byte difference from the point before, and its order-0 entropy in bits per slot; then the network layers' entropy once the slot's figure in the layer before is known, which the load coder uses):");
        text.AppendLine();
        text.AppendLine("| Tier | Keyframe | Delta | Owner | Keys | CPU | Network in | Network out | Network in given CPU | Network out given in |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var b in storage.Breakdowns)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {b.Tier} | {b.KeyframeBytes:N0} | {b.DeltaBytes:N0} | {string.Join(" | ", Enumerable.Range(0, SlotHistoryPoint.LayerCount).Select(l => string.Create(CultureInfo.InvariantCulture, $"{b.WholeLayerBytes[l]:N0} / {b.DeltaLayerBytes[l]:N0} ({b.EntropyBits[l]:0.00} bits)")))} | {b.InGivenCpuBits:0.00} bits | {b.OutGivenInBits:0.00} bits |");
        }

        text.AppendLine();
        text.AppendLine("## Time slider paint time (headless Chromium)");
        text.AppendLine();
        text.AppendLine("From the input event to the end of the heat map's next draw (`performance.now()` and the map's own `heatmap-draw` measure), CPU layer on screen, under the load above:");
        text.AppendLine();
        text.AppendLine("| What | Samples | Median | p95 | Max |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        text.AppendLine(Row("slider moved to a past moment", paint.Slider));
        text.AppendLine(Row("Live pressed (the same path, the live layers)", paint.Live));
        text.AppendLine(Row("a live frame arriving by itself (no server round trip)", paint.LiveFrames));
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Slider ÷ Live, medians: **{sliderMedian / liveMedian:0.00}**. Target ≤ {PaintTargetMilliseconds:0} ms for a past moment: **{(paint.Slider.Length > 0 && paint.Slider.Max() <= PaintTargetMilliseconds ? "met (max)" : sliderMedian <= PaintTargetMilliseconds ? "met (median; see max)" : "NOT met")}**. Moves that painted nothing within 5 s: {paint.NotPainted}.");
        return text.ToString();
    }

    private static string Row(string what, double[] samples) => samples.Length == 0
        ? $"| {what} | 0 | – | – | – |"
        : string.Create(CultureInfo.InvariantCulture, $"| {what} | {samples.Length} | {Median(samples):0.0} ms | {Percentile(samples, 0.95):0.0} ms | {samples.Max():0.0} ms |");

    private static double Median(double[] samples) => samples.Length == 0 ? double.NaN : Percentile(samples, 0.5);

    private static double Percentile(double[] samples, double p)
    {
        var sorted = samples.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
