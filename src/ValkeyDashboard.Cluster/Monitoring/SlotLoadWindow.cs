using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Plans;

namespace ValkeyDashboard.Cluster.Monitoring;

/// <summary>Per-slot rates averaged over a window, as plans read them.</summary>
/// <param name="CpuUsecPerSecond">CPU µs/s per slot (16,384); null when no primary reports CPU per slot.</param>
/// <param name="NetworkBytesPerSecond">Network in + out B/s per slot; null when not reported.</param>
/// <param name="Covered">How much time the averages cover (less than the window while the dashboard has just started).</param>
public sealed record SlotLoadAverages(double[]? CpuUsecPerSecond, double[]? NetworkBytesPerSecond, TimeSpan Covered);

/// <summary>
/// Keeps the per-slot CPU and network rates of the last <see cref="PlanOptions.LoadWindow"/> in memory, so a plan
/// balances what the slots cost over minutes, not one noisy second. The monitor's counters are cumulative per owner;
/// each poll adds its deltas to the current bucket (a twentieth of the window), and the average is the sum of the
/// buckets' deltas over the time they cover. A counter that went back (a new owner, <c>CONFIG RESETSTAT</c>) adds
/// nothing for that poll.
/// </summary>
public sealed class SlotLoadWindow(IClusterSnapshotSource cluster, IOptions<PlanOptions> options, ILogger<SlotLoadWindow> logger) : BackgroundService
{
    private const int Buckets = 20;

    private readonly Lock _gate = new();
    private readonly Queue<Bucket> _buckets = new();
    private ClusterSnapshot? _previous;

    /// <summary>The averages over the window as it is now.</summary>
    public SlotLoadAverages Averages()
    {
        lock (_gate)
        {
            var seconds = _buckets.Sum(b => b.Seconds);
            if (seconds <= 0 || !_buckets.Any(b => b.Cpu is not null))
            {
                return new SlotLoadAverages(null, null, TimeSpan.FromSeconds(seconds));
            }

            var cpu = new double[SlotRange.SlotCount];
            var network = new double[SlotRange.SlotCount];
            foreach (var bucket in _buckets.Where(b => b.Cpu is not null))
            {
                for (var slot = 0; slot < SlotRange.SlotCount; slot++)
                {
                    cpu[slot] += bucket.Cpu![slot];
                    network[slot] += bucket.Network![slot];
                }
            }

            for (var slot = 0; slot < SlotRange.SlotCount; slot++)
            {
                cpu[slot] /= seconds;
                network[slot] /= seconds;
            }

            return new SlotLoadAverages(cpu, network, TimeSpan.FromSeconds(seconds));
        }
    }

    /// <summary>Adds one snapshot's deltas against the one before (what the loop does for every snapshot).</summary>
    public void Add(ClusterSnapshot snapshot)
    {
        lock (_gate)
        {
            var previous = _previous;
            _previous = snapshot;
            var stats = snapshot.SlotStatistics;
            var before = previous?.SlotStatistics;
            var seconds = previous is null ? 0 : (snapshot.Timestamp - previous.Timestamp).TotalSeconds;
            if (seconds <= 0 || stats.CpuUsec is null || before?.CpuUsec is null || stats.NetworkBytesIn is null || before.NetworkBytesIn is null ||
                stats.NetworkBytesOut is null || before.NetworkBytesOut is null)
            {
                return;
            }

            var bucketLength = options.Value.LoadWindow.TotalSeconds / Buckets;
            if (_buckets.Count == 0 || _buckets.Last().Seconds >= bucketLength)
            {
                _buckets.Enqueue(new Bucket(new double[SlotRange.SlotCount], new double[SlotRange.SlotCount]));
                while (_buckets.Count > Buckets)
                {
                    _buckets.Dequeue();
                }
            }

            var bucket = _buckets.Last();
            bucket.Seconds += seconds;
            var cpu = Values(stats.CpuUsec);
            var cpuBefore = Values(before.CpuUsec);
            var inNow = Values(stats.NetworkBytesIn);
            var inBefore = Values(before.NetworkBytesIn);
            var outNow = Values(stats.NetworkBytesOut);
            var outBefore = Values(before.NetworkBytesOut);
            var owners = snapshot.SlotOwners.AsSpan();
            var ownersBefore = previous!.SlotOwners.AsSpan();
            for (var slot = 0; slot < SlotRange.SlotCount; slot++)
            {
                if (!ReferenceEquals(owners[slot], ownersBefore[slot]) && owners[slot] != ownersBefore[slot])
                {
                    continue;
                }

                bucket.Cpu![slot] += Math.Max(0, cpu[slot] - cpuBefore[slot]);
                bucket.Network![slot] += Math.Max(0, inNow[slot] - inBefore[slot]) + Math.Max(0, outNow[slot] - outBefore[slot]);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var snapshot in cluster.WatchAsync(stoppingToken))
            {
                if (snapshot.State is ClusterState.Ok or ClusterState.Fail && snapshot.Timestamp > (_previous?.Timestamp ?? DateTimeOffset.MinValue))
                {
                    try
                    {
                        Add(snapshot);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        logger.LogError(ex, "Could not add snapshot {Version} to the load window", snapshot.Version);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>The figures as a span (the snapshot keeps arrays; anything else is copied once).</summary>
    private static ReadOnlySpan<long> Values(IReadOnlyList<long> values) => values is long[] array ? array : values.ToArray();

    private sealed class Bucket(double[]? cpu, double[]? network)
    {
        public double[]? Cpu { get; } = cpu;

        public double[]? Network { get; } = network;

        public double Seconds { get; set; }
    }
}
