namespace ValkeyDashboard.Cluster.Model;

/// <summary>
/// Per-slot figures from <c>CLUSTER SLOT-STATS</c>, one entry per slot (16,384). The CPU and
/// network arrays are null when slot statistics are disabled on the owners
/// (<c>cluster-slot-stats-enabled no</c>); a slot no reachable primary reported is 0.
/// </summary>
public sealed class SlotStatistics
{
    public SlotStatistics(long[] keyCount, long[]? cpuUsec, long[]? networkBytesIn, long[]? networkBytesOut)
    {
        Validate(keyCount, nameof(keyCount));
        Validate(cpuUsec, nameof(cpuUsec));
        Validate(networkBytesIn, nameof(networkBytesIn));
        Validate(networkBytesOut, nameof(networkBytesOut));
        KeyCount = keyCount;
        CpuUsec = cpuUsec;
        NetworkBytesIn = networkBytesIn;
        NetworkBytesOut = networkBytesOut;
    }

    public static SlotStatistics Empty { get; } = new(new long[SlotRange.SlotCount], null, null, null);

    public IReadOnlyList<long> KeyCount { get; }

    public IReadOnlyList<long>? CpuUsec { get; }

    public IReadOnlyList<long>? NetworkBytesIn { get; }

    public IReadOnlyList<long>? NetworkBytesOut { get; }

    private static void Validate(long[]? values, string name)
    {
        if (values is not null && values.Length != SlotRange.SlotCount)
        {
            throw new ArgumentException($"expected {SlotRange.SlotCount} values", name);
        }
    }
}
