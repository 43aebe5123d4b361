namespace ValkeyDashboard.Cluster.History;

/// <summary>Which tier records when, and which tier answers a question (pure).</summary>
public static class SlotHistoryTiers
{
    /// <summary>
    /// Whether a tier with <paramref name="interval"/> that last recorded at <paramref name="last"/> (null: never) records
    /// at <paramref name="now"/>: when <paramref name="now"/> is in a later interval (counted from the Unix epoch, so
    /// tiers roll over together: the minute's point is taken with the 10 s point at the full minute).
    /// </summary>
    public static bool IsDue(TimeSpan interval, DateTimeOffset? last, DateTimeOffset now) =>
        last is null || Bucket(interval, now) > Bucket(interval, last.Value);

    /// <summary>
    /// The finest tier that still holds <paramref name="from"/> at <paramref name="now"/> (its retention reaches back that
    /// far); the coarsest when none does.
    /// </summary>
    public static int TierFor(IReadOnlyList<SlotHistoryTier> tiers, DateTimeOffset from, DateTimeOffset now)
    {
        for (var i = 0; i < tiers.Count; i++)
        {
            if (now - tiers[i].Retention <= from)
            {
                return i;
            }
        }

        return tiers.Count - 1;
    }

    private static long Bucket(TimeSpan interval, DateTimeOffset at) => at.ToUnixTimeMilliseconds() / (long)interval.TotalMilliseconds;
}
