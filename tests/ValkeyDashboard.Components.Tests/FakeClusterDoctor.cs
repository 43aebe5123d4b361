using System.Collections.Immutable;
using System.Threading.Channels;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Cluster.Doctor;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Components.Tests;

/// <summary>
/// A hand-written doctor (no mocking library): the test publishes reports (<see cref="Publish"/>, fed to
/// <see cref="WatchAsync"/> through channels), reads which fixes the UI asked for (<see cref="Requests"/>), and may make
/// the real call refused (<see cref="FixError"/>). A fix answers the steps its fix plans (no node holds keys); sent, the report after it is the
/// current one without that finding (published, as the doctor would).
/// </summary>
public sealed class FakeClusterDoctor : IClusterDoctor, IDisposable
{
    private readonly SubscriberChannels<DoctorReport> _reports = new(() => Channel.CreateUnbounded<DoctorReport>());
    private readonly SubscriberChannels<DoctorFixOutcome> _fixes = new(() => Channel.CreateUnbounded<DoctorFixOutcome>());
    private readonly Lock _gate = new();
    private readonly List<(string FixId, bool DryRun, string Actor, string? PrimaryId)> _requests = [];
    private DoctorReport _current = DoctorReport.Empty;

    /// <summary>Thrown by a fix that is not a dry run.</summary>
    public Exception? FixError { get; set; }

    public DoctorReport Current => Volatile.Read(ref _current);

    /// <summary>Every fix asked for: its id, whether a dry run, by whom, the primary asked for.</summary>
    public IReadOnlyList<(string FixId, bool DryRun, string Actor, string? PrimaryId)> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public void Publish(DoctorReport report) => _reports.Publish(report, () => Volatile.Write(ref _current, report));

    public Task<DoctorReport> CheckAsync(CancellationToken cancellationToken = default) => Task.FromResult(Current);

    public async Task<DoctorFixOutcome> FixAsync(string fixId, DoctorFixRequest request, bool dryRun, string actor, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _requests.Add((fixId, dryRun, actor, request.PrimaryId));
        }

        var finding = Current.Findings.Single(f => f.Fix?.Id == fixId);
        var steps = await finding.Fix!.PlanAsync(request, new NoKeys(), cancellationToken);
        if (dryRun)
        {
            return new DoctorFixOutcome(finding.Fix, finding, true, steps, null);
        }

        if (FixError is { } error)
        {
            throw error;
        }

        var after = new DoctorReport(DateTimeOffset.UtcNow, Current.Findings.Remove(finding));
        Publish(after);
        var outcome = new DoctorFixOutcome(finding.Fix, finding, false, steps, after);
        _fixes.Publish(outcome);
        return outcome;
    }

    /// <summary>As the doctor's: the current report unless there has been none yet, then each published one.</summary>
    public IAsyncEnumerable<DoctorReport> WatchAsync(CancellationToken cancellationToken = default) =>
        _reports.SubscribeAsync(() => Current, cancellationToken).SinceFirstCheckUp(cancellationToken);

    public IAsyncEnumerable<DoctorFixOutcome> WatchFixesAsync(CancellationToken cancellationToken = default) =>
        _fixes.SubscribeAsync(cancellationToken: cancellationToken);

    public void Dispose()
    {
        _reports.CompleteAll();
        _fixes.CompleteAll();
    }

    /// <summary>A cluster where no node holds keys in any slot.</summary>
    private sealed class NoKeys : IDoctorProbe
    {
        public Task<long> CountKeysAsync(string endpoint, SlotRangeSet slots, CancellationToken cancellationToken) => Task.FromResult(0L);

        public Task<ValkeyDashboard.Cluster.Migrations.OpenSlots.OpenSlotRepair> PlanRepairAsync(
            ValkeyDashboard.Cluster.Migrations.OpenSlots.OpenSlot slot, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("a repair reads a real cluster: the open-slot fix is tested against one");
    }

    /// <summary>A report of <paramref name="findings"/>, checked now.</summary>
    public static DoctorReport Report(params DoctorFinding[] findings) => new(DateTimeOffset.UtcNow, [.. findings]);
}
