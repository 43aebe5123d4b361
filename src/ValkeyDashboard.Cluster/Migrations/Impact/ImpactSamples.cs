namespace ValkeyDashboard.Cluster.Migrations.Impact;

/// <summary>
/// The probe's observations of one migration: latencies of successful operations on moving and other keys, errors,
/// and the longest write stall; turned into a <see cref="MigrationImpact"/> at the end. Memory stays bounded however
/// long the migration runs: past <see cref="MaxSamplesPerSide"/> latencies a side keeps a uniform sample (reservoir),
/// while its count stays exact. Not thread-safe: one probe loop writes it.
/// </summary>
public sealed class ImpactSamples
{
    /// <summary>Latencies kept per side for the percentiles.</summary>
    public const int MaxSamplesPerSide = 100_000;

    private readonly Side _moving = new();
    private readonly Side _elsewhere = new();
    private long _errors;
    private double _maxPauseMs;

    /// <summary>A successful operation on a key of a moving slot (<paramref name="moving"/>) or elsewhere, and how long it took.</summary>
    public void AddLatency(bool moving, double milliseconds) => (moving ? _moving : _elsewhere).Add(milliseconds);

    /// <summary>An operation that failed (TRYAGAIN, a timeout, a lost connection).</summary>
    public void AddError() => _errors++;

    /// <summary>How long a write to a moving slot waited from when it was due until it succeeded.</summary>
    public void AddWriteStall(double milliseconds) => _maxPauseMs = Math.Max(_maxPauseMs, milliseconds);

    public long Probes => _moving.Count + _elsewhere.Count;

    public long Errors => _errors;

    public MigrationImpact ToImpact()
    {
        var all = _moving.Kept.Concat(_elsewhere.Kept).ToList();
        all.Sort();
        return new MigrationImpact(
            Round(Percentile(all, 0.50)),
            Round(Percentile(all, 0.99)),
            Round(_maxPauseMs),
            Probes,
            _errors,
            _moving.ToLatency(),
            _elsewhere.ToLatency());
    }

    /// <summary>The nearest-rank percentile of sorted values (0 when there are none).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double fraction)
    {
        if (sorted.Count == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(fraction * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    private static double Round(double milliseconds) => Math.Round(milliseconds, 3);

    private sealed class Side
    {
        private readonly List<double> _kept = [];

        public long Count { get; private set; }

        public IReadOnlyList<double> Kept => _kept;

        public void Add(double milliseconds)
        {
            Count++;
            if (_kept.Count < MaxSamplesPerSide)
            {
                _kept.Add(milliseconds);
                return;
            }

            var slot = Random.Shared.NextInt64(Count);
            if (slot < MaxSamplesPerSide)
            {
                _kept[(int)slot] = milliseconds;
            }
        }

        public ImpactLatency ToLatency()
        {
            var sorted = _kept.Order().ToList();
            return new ImpactLatency(Round(Percentile(sorted, 0.50)), Round(Percentile(sorted, 0.99)), Count);
        }
    }
}
