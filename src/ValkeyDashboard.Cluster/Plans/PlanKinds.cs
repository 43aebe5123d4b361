namespace ValkeyDashboard.Cluster.Plans;

/// <summary>What a plan does. Values are part of the wire contract.</summary>
public enum PlanKind
{
    /// <summary>Every primary ends within the threshold of its weighted share; empty primaries take part (scale-out).</summary>
    Rebalance = 0,

    /// <summary>The given primaries end with no slots; their slots go where they balance the metric best.</summary>
    Drain = 1,
}

/// <summary>What a plan balances. Values are part of the wire contract.</summary>
public enum PlanMetric
{
    /// <summary>Slot counts (what every other tool balances).</summary>
    Slots = 0,

    /// <summary>Keys per slot (<c>CLUSTER SLOT-STATS</c> key-count).</summary>
    Keys = 1,

    /// <summary>Memory per slot, estimated by sampling keys (<c>MEMORY USAGE</c>); Valkey reports none per slot.</summary>
    Memory = 2,

    /// <summary>CPU per slot, µs/s averaged over the load window.</summary>
    Cpu = 3,

    /// <summary>Network in + out per slot, B/s averaged over the load window.</summary>
    Network = 4,
}

/// <summary>Where a plan, or one of its moves, stands. Values are part of the wire contract.</summary>
public enum PlanState
{
    Pending = 0,
    Running = 1,
    Paused = 2,
    Succeeded = 3,
    Failed = 4,
    Cancelled = 5,

    /// <summary>A move not run because the cluster changed under it (its slots changed owner, its target failed).</summary>
    Skipped = 6,
}
