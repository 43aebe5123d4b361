using System.ComponentModel.DataAnnotations;

namespace ValkeyDashboard.Cluster.History;

/// <summary>One tier of the slot history: a point every <see cref="Interval"/>, kept for <see cref="Retention"/>.</summary>
public sealed class SlotHistoryTier
{
    public TimeSpan Interval { get; set; }

    public TimeSpan Retention { get; set; }

    /// <summary>
    /// Bits per slot this tier keeps of the CPU and network layers (1-8); null: <see cref="SlotHistoryOptions.LoadBits"/>.
    /// A coarser past is read at a coarser scale: the tiers that hold the day and the week keep fewer.
    /// </summary>
    public int? LoadBits { get; set; }
}

/// <summary>The slot history's settings (the <c>Dashboard:History</c> section).</summary>
public sealed class SlotHistoryOptions
{
    public const string SectionName = "Dashboard:History";

    /// <summary>
    /// The tiers used when <see cref="Tiers"/> is empty: 10 s for an hour (CPU and network to <see cref="LoadBits"/>), 1 min
    /// for a day and 10 min for a week (both to <see cref="CoarseLoadBits"/>).
    /// </summary>
    public static IReadOnlyList<SlotHistoryTier> DefaultTiers { get; } =
    [
        new() { Interval = TimeSpan.FromSeconds(10), Retention = TimeSpan.FromHours(1) },
        new() { Interval = TimeSpan.FromMinutes(1), Retention = TimeSpan.FromDays(1), LoadBits = CoarseLoadBits },
        new() { Interval = TimeSpan.FromMinutes(10), Retention = TimeSpan.FromDays(7), LoadBits = CoarseLoadBits },
    ];

    /// <summary>
    /// The load bits of the default 1 min and 10 min tiers: the most that keep a day of history of a 16,384-slot cluster
    /// under load within 25 MB with some margin (the history benchmark, docs/benchmarks.md).
    /// </summary>
    public const int CoarseLoadBits = 4;

    /// <summary>Record the history at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The tiers, finest first (each interval longer than the one before, each retention at least its interval); empty
    /// means <see cref="DefaultTiers"/>. A list, not defaults merged with configuration: the binder would append to them.
    /// </summary>
    public List<SlotHistoryTier> Tiers { get; set; } = [];

    /// <summary>Every this many points of a tier one is stored whole (a keyframe); the others are deltas against the point before.</summary>
    [Range(1, 10_000, ErrorMessage = "Dashboard:History:KeyframeEvery must be between 1 and 10000.")]
    public int KeyframeEvery { get; set; } = 30;

    /// <summary>
    /// Bits per slot kept of the CPU and network layers (8: exactly as the heat map quantised them) in the tiers that do
    /// not set their own <see cref="SlotHistoryTier.LoadBits"/>. Their lightly used slots jump at random from point to
    /// point and their low bits are most of the history's size; 7 keeps each figure within about 4.4 %.
    /// </summary>
    [Range(1, 8, ErrorMessage = "Dashboard:History:LoadBits must be between 1 and 8.")]
    public int LoadBits { get; set; } = 7;

    /// <summary>The tiers in effect.</summary>
    public IReadOnlyList<SlotHistoryTier> EffectiveTiers => Tiers.Count == 0 ? DefaultTiers : Tiers;

    /// <summary>The bits of the CPU and network layers <paramref name="tier"/> keeps: its own, else <see cref="LoadBits"/>.</summary>
    public int LoadBitsOf(int tier) => EffectiveTiers[tier].LoadBits ?? LoadBits;

    /// <summary>Why the tiers cannot work, or null when they can.</summary>
    public string? TierProblem()
    {
        var tiers = EffectiveTiers;
        for (var i = 0; i < tiers.Count; i++)
        {
            if (tiers[i].Interval < TimeSpan.FromMilliseconds(100) || tiers[i].Retention < tiers[i].Interval)
            {
                return $"Dashboard:History:Tiers:{i} needs an Interval of at least 100 ms and a Retention of at least its Interval.";
            }

            if (tiers[i].LoadBits is < 1 or > 8)
            {
                return $"Dashboard:History:Tiers:{i}:LoadBits must be between 1 and 8.";
            }

            if (i > 0 && tiers[i].Interval <= tiers[i - 1].Interval)
            {
                return $"Dashboard:History:Tiers must go from the finest to the coarsest: tier {i} has an Interval no longer than tier {i - 1}'s.";
            }
        }

        return null;
    }
}
