using System.Collections.Immutable;
using System.Runtime.CompilerServices;

namespace ValkeyDashboard.Cluster.Doctor;

/// <summary>What the doctor found at one moment, most serious first.</summary>
public sealed record DoctorReport(DateTimeOffset CheckedAt, ImmutableArray<DoctorFinding> Findings)
{
    public static DoctorReport Empty { get; } = new(DateTimeOffset.MinValue, []);

    /// <summary>Same findings (ids and messages), whenever checked.</summary>
    public bool SameFindings(DoctorReport other) =>
        Findings.Select(f => (f.Id, f.Message)).SequenceEqual(other.Findings.Select(f => (f.Id, f.Message)));
}

/// <summary>Streams of reports.</summary>
public static class DoctorReports
{
    /// <summary>The reports of <paramref name="reports"/> but <see cref="DoctorReport.Empty"/>: before the first check-up there is nothing to tell.</summary>
    public static async IAsyncEnumerable<DoctorReport> SinceFirstCheckUp(this IAsyncEnumerable<DoctorReport> reports, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var report in reports.WithCancellation(cancellationToken))
        {
            if (!ReferenceEquals(report, DoctorReport.Empty))
            {
                yield return report;
            }
        }
    }
}

/// <summary>A fix as planned (dry run) or as sent.</summary>
/// <param name="Fix">The fix.</param>
/// <param name="Finding">The finding it fixes.</param>
/// <param name="DryRun">Nothing was sent.</param>
/// <param name="Steps">The steps with their exact commands.</param>
/// <param name="After">The findings after the commands were sent (null for a dry run).</param>
public sealed record DoctorFixOutcome(DoctorFix Fix, DoctorFinding Finding, bool DryRun, ImmutableArray<DoctorFixStep> Steps, DoctorReport? After);

/// <summary>
/// The cluster doctor as pages, the API and the hub use it: the findings now, a fresh check-up, and fixes (dry run or
/// sent). <see cref="ClusterDoctor"/> is the real one; component tests give a fake.
/// </summary>
public interface IClusterDoctor
{
    /// <summary>The latest check-up (<see cref="DoctorReport.Empty"/> before the first).</summary>
    DoctorReport Current { get; }

    /// <summary>Looks at the cluster now.</summary>
    Task<DoctorReport> CheckAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Re-checks the cluster, finds the fix (404 kind of refusal when it never existed, conflict when its finding is
    /// gone), plans it and, unless <paramref name="dryRun"/>, sends its commands (audited as <paramref name="actor"/>).
    /// </summary>
    Task<DoctorFixOutcome> FixAsync(string fixId, DoctorFixRequest request, bool dryRun, string actor, CancellationToken cancellationToken = default);

    /// <summary>The current report, then each one whose findings differ.</summary>
    IAsyncEnumerable<DoctorReport> WatchAsync(CancellationToken cancellationToken = default);

    /// <summary>Every fix sent from now on (not dry runs).</summary>
    IAsyncEnumerable<DoctorFixOutcome> WatchFixesAsync(CancellationToken cancellationToken = default);
}

/// <summary>A command of a fix failed after it was sent; the message says which, and what was sent before it.</summary>
public sealed class DoctorFixFailedException : Exception
{
    public DoctorFixFailedException()
    {
    }

    public DoctorFixFailedException(string message)
        : base(message)
    {
    }

    public DoctorFixFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
