using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;

namespace ValkeyDashboard.Cluster.Plans;

/// <summary>Bytes per slot, and how much of it was measured rather than assumed.</summary>
/// <param name="Bytes">Estimated bytes per slot (16,384).</param>
/// <param name="SampledShare">Share of the slots holding keys whose bytes per key were measured (the rest use their owner's average).</param>
public sealed record SlotMemoryEstimate(long[] Bytes, double SampledShare);

/// <summary>
/// Valkey reports no memory per slot, so plans estimate it: for a bounded sample of each slot's keys
/// (<c>CLUSTER GETKEYSINSLOT</c> + <c>MEMORY USAGE</c>) the bytes per key, times the slot's key count. Slots not
/// sampled yet count at their owner's average (<c>used_memory</c> over keys). Sampling runs only while plans ask for
/// memory (for ten minutes after the last ask), at most <see cref="PlanOptions.MemorySampleSlotsPerSecond"/> slots a
/// second, biggest and stalest slots first, and caches what it measured.
/// </summary>
public sealed class SlotMemoryEstimator(
    ValkeyAdminClient valkey,
    IClusterSnapshotSource cluster,
    IOptions<PlanOptions> options,
    TimeProvider time,
    ILogger<SlotMemoryEstimator> logger) : BackgroundService
{
    private static readonly TimeSpan WantedFor = TimeSpan.FromMinutes(10);

    private readonly Lock _gate = new();
    private readonly double[] _bytesPerKey = Enumerable.Repeat(double.NaN, SlotRange.SlotCount).ToArray();
    private readonly DateTimeOffset[] _sampledAt = new DateTimeOffset[SlotRange.SlotCount];
    private readonly SemaphoreSlim _sampling = new(1, 1);
    private readonly SemaphoreSlim _wanted = new(0, 1);
    private DateTimeOffset _wantedUntil;

    /// <summary>
    /// The estimate for <paramref name="snapshot"/>; first samples up to <paramref name="topUp"/> of the biggest slots not
    /// measured yet (so the first memory plan is not all averages), and keeps sampling in the background for a while.
    /// </summary>
    public async Task<SlotMemoryEstimate> EstimateAsync(ClusterSnapshot snapshot, int topUp, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _wantedUntil = time.GetUtcNow() + WantedFor;
        }

        if (_wanted.CurrentCount == 0)
        {
            try
            {
                _wanted.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled.
            }
        }

        await SampleAsync(snapshot, topUp, cancellationToken);
        return Estimate(snapshot);
    }

    /// <summary>The estimate from what was measured so far, without sampling (for plans that balance another metric).</summary>
    public SlotMemoryEstimate Estimate(ClusterSnapshot snapshot)
    {
        var keys = snapshot.SlotStatistics.KeyCount;
        var bytes = new long[SlotRange.SlotCount];
        int withKeys = 0, sampled = 0;
        var average = snapshot.Primaries.ToDictionary(
            p => p.Id, p => p.Keys is > 0 && p.UsedMemoryBytes is { } used ? (double)used / p.Keys.Value : 0, StringComparer.OrdinalIgnoreCase);
        lock (_gate)
        {
            for (var slot = 0; slot < bytes.Length; slot++)
            {
                if (keys[slot] == 0)
                {
                    continue;
                }

                withKeys++;
                var perKey = _bytesPerKey[slot];
                if (!double.IsNaN(perKey))
                {
                    sampled++;
                }
                else
                {
                    perKey = snapshot.SlotOwners[slot] is { } owner ? average.GetValueOrDefault(owner) : 0;
                }

                bytes[slot] = (long)(keys[slot] * perKey);
            }
        }

        return new SlotMemoryEstimate(bytes, withKeys == 0 ? 1.0 : (double)sampled / withKeys);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                bool wanted;
                lock (_gate)
                {
                    wanted = time.GetUtcNow() < _wantedUntil;
                }

                if (!wanted)
                {
                    // Idle until a memory plan asks for estimates.
                    await _wanted.WaitAsync(stoppingToken);
                    continue;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
                if (cluster.Current.State == ClusterState.Ok)
                {
                    await SampleAsync(cluster.Current, options.Value.MemorySampleSlotsPerSecond, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Samples up to <paramref name="most"/> slots with keys: never measured first, then the stalest, bigger before smaller.</summary>
    private async Task SampleAsync(ClusterSnapshot snapshot, int most, CancellationToken cancellationToken)
    {
        await _sampling.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            var maxAge = options.Value.MemorySampleMaxAge;
            var keys = snapshot.SlotStatistics.KeyCount;
            List<int> due;
            lock (_gate)
            {
                due = [.. Enumerable.Range(0, SlotRange.SlotCount)
                    .Where(s => keys[s] > 0 && snapshot.SlotOwners[s] is not null && (double.IsNaN(_bytesPerKey[s]) || now - _sampledAt[s] > maxAge))
                    .OrderBy(s => double.IsNaN(_bytesPerKey[s]) ? 0 : 1).ThenBy(s => _sampledAt[s]).ThenByDescending(s => keys[s]).ThenBy(s => s)
                    .Take(most)];
            }

            var perKey = options.Value.MemorySampleKeysPerSlot;
            foreach (var batch in due.Chunk(16))
            {
                await Task.WhenAll(batch.Select(async slot =>
                {
                    var owner = snapshot.FindNode(snapshot.SlotOwners[slot]!);
                    if (owner is not { Health: NodeHealth.Online })
                    {
                        return;
                    }

                    try
                    {
                        var (sampledKeys, bytes) = await valkey.SampleSlotMemoryAsync(owner.Endpoint, slot, perKey);
                        if (sampledKeys > 0)
                        {
                            lock (_gate)
                            {
                                _bytesPerKey[slot] = (double)bytes / sampledKeys;
                                _sampledAt[slot] = now;
                            }
                        }
                    }
                    catch (ValkeyException ex)
                    {
                        logger.LogDebug("Could not sample the memory of slot {Slot} on {Endpoint}: {Reason}", slot, owner.Endpoint, ex.Message);
                    }
                }));
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            _sampling.Release();
        }
    }

    public override void Dispose()
    {
        _sampling.Dispose();
        _wanted.Dispose();
        base.Dispose();
    }
}
