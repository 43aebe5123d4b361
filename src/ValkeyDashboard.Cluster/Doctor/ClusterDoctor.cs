using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Audit;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Migrations.Keys;
using ValkeyDashboard.Cluster.Migrations.OpenSlots;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Monitoring;
using ValkeyDashboard.Cluster.Parsing;
using ValkeyDashboard.Cluster.Text;

namespace ValkeyDashboard.Cluster.Doctor;

/// <summary>
/// The cluster doctor: gathers what the checks look at (the monitor's snapshot, and from every node that is up its
/// <c>CLUSTER NODES</c>, and only where its server has them its slot-statistics setting and its atomic migrations),
/// runs every <see cref="IDoctorCheck"/> over it, and runs fixes: re-checked first, planned, audited, sent one command
/// at a time, then checked again. Looks by itself every <see cref="DoctorOptions.CheckInterval"/> so watchers hear of
/// changed findings.
/// </summary>
public sealed class ClusterDoctor : IClusterDoctor, IDoctorProbe, IHostedService, IAsyncDisposable
{
    /// <summary>How many fix ids are remembered (to tell a fix whose finding is gone from one that never was).</summary>
    private const int RememberedFixIds = 10_000;

    private readonly ValkeyAdminClient _valkey;
    private readonly ClusterMonitor _monitor;
    private readonly MigrationRegistry _migrations;
    private readonly KeyMigrationOptions _keyOptions;
    private readonly ImmutableArray<IDoctorCheck> _checks;
    private readonly DoctorOptions _options;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;
    private readonly ILogger<ClusterDoctor> _logger;
    private readonly SubscriberChannels<DoctorReport> _reports = new(() => Channel.CreateBounded<DoctorReport>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true }));
    private readonly SubscriberChannels<DoctorFixOutcome> _fixes = new(() => Channel.CreateUnbounded<DoctorFixOutcome>(new UnboundedChannelOptions { SingleReader = true }));
    private readonly ConcurrentDictionary<string, byte> _issuedFixIds = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _fixing = new(1, 1);
    private readonly Lock _publishLock = new();
    private readonly BackgroundLoop _loop = new();
    private DoctorReport _current = DoctorReport.Empty;

    public ClusterDoctor(
        ValkeyAdminClient valkey, ClusterMonitor monitor, MigrationRegistry migrations, IEnumerable<IDoctorCheck> checks, IOptions<DoctorOptions> options,
        IOptions<KeyMigrationOptions> keyOptions, AuditLog audit, TimeProvider time, ILogger<ClusterDoctor> logger)
    {
        _valkey = valkey;
        _monitor = monitor;
        _migrations = migrations;
        _keyOptions = keyOptions.Value;
        _checks = [.. checks];
        _options = options.Value;
        _audit = audit;
        _time = time;
        _logger = logger;
    }

    /// <summary>Every check the doctor knows, in the order findings of equal severity are listed.</summary>
    public static ImmutableArray<IDoctorCheck> AllChecks =>
    [
        new Checks.OpenSlotsCheck(), new Checks.UnassignedSlotsCheck(), new Checks.SlotOwnerDisagreementCheck(), new Checks.FailedNodesCheck(), new Checks.StalledMigrationCheck(),
        new Checks.PrimaryWithoutReplicaCheck(), new Checks.MixedVersionsCheck(), new Checks.SlotStatsDisabledCheck(), new Checks.ReplicaOnSameHostCheck(),
    ];

    public DoctorReport Current => Volatile.Read(ref _current);

    public async Task<DoctorReport> CheckAsync(CancellationToken cancellationToken = default)
    {
        var observations = await ObserveAsync(cancellationToken);
        var report = Diagnose(observations, _checks, _logger);
        foreach (var fix in report.Findings.Select(f => f.Fix).OfType<DoctorFix>())
        {
            if (_issuedFixIds.Count >= RememberedFixIds)
            {
                _issuedFixIds.Clear();
            }

            _issuedFixIds.TryAdd(fix.Id, 0);
        }

        lock (_publishLock)
        {
            if (report.CheckedAt < Current.CheckedAt)
            {
                return report;
            }

            var changed = !report.SameFindings(Current) || Current == DoctorReport.Empty;
            Volatile.Write(ref _current, report);
            if (changed)
            {
                _reports.Publish(report);
            }
        }

        return report;
    }

    /// <summary>Runs every check over the observations: findings most serious first, a failing check logged and skipped.</summary>
    public static DoctorReport Diagnose(DoctorObservations observations, IEnumerable<IDoctorCheck> checks, ILogger? logger = null)
    {
        var findings = new List<DoctorFinding>();
        foreach (var check in checks)
        {
            try
            {
                findings.AddRange(check.Check(observations));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A bug in one check must not hide what the others find.
                logger?.LogError(ex, "Doctor check {Check} failed", check.GetType().Name);
            }
        }

        return new DoctorReport(observations.Now, [.. findings.OrderBy(f => f.Severity)]);
    }

    public async Task<DoctorFixOutcome> FixAsync(string fixId, DoctorFixRequest request, bool dryRun, string actor, CancellationToken cancellationToken = default)
    {
        if (dryRun)
        {
            var (fix, finding, steps) = await PlanAsync(fixId, request, cancellationToken);
            return new DoctorFixOutcome(fix, finding, true, steps, null);
        }

        if (!await _fixing.WaitAsync(0, cancellationToken))
        {
            throw RequestRefusedException.Conflict("another fix is being sent; check again once it is done");
        }

        try
        {
            var outcome = await _audit.RunAsync(actor, AuditActions.DoctorFix, fixId, () => SendAsync(fixId, request, cancellationToken),
                o => $"{o.Fix.Description}: {string.Join("; ", o.Steps.SelectMany(s => s.Commands).Select(c => c.Text))}");
            _fixes.Publish(outcome);
            return outcome;
        }
        finally
        {
            _fixing.Release();
        }
    }

    public IAsyncEnumerable<DoctorReport> WatchAsync(CancellationToken cancellationToken = default) =>
        _reports.SubscribeAsync(() => Current, cancellationToken).SinceFirstCheckUp(cancellationToken);

    public IAsyncEnumerable<DoctorFixOutcome> WatchFixesAsync(CancellationToken cancellationToken = default) =>
        _fixes.SubscribeAsync(cancellationToken: cancellationToken);

    public Task<long> CountKeysAsync(string endpoint, SlotRangeSet slots, CancellationToken cancellationToken) =>
        _valkey.CountKeysInSlotsAsync(endpoint, slots);

    public Task<OpenSlotRepair> PlanRepairAsync(OpenSlot slot, CancellationToken cancellationToken) =>
        OpenSlotRepair.PlanAsync(_valkey, slot, _monitor.Current.Primaries, _keyOptions);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop.Start(RunAsync);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (await _loop.StopAsync(cancellationToken))
        {
            _reports.CompleteAll();
            _fixes.CompleteAll();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    private async Task<DoctorFixOutcome> SendAsync(string fixId, DoctorFixRequest request, CancellationToken cancellationToken)
    {
        var (fix, finding, steps) = await PlanAsync(fixId, request, cancellationToken);
        var sent = new List<string>();
        foreach (var step in steps)
        {
            if (step.Run is { } run)
            {
                await RunStepAsync(fix, step, run, sent, cancellationToken);
                continue;
            }

            foreach (var command in step.Commands)
            {
                try
                {
                    await command.SendAsync(_valkey);
                }
                catch (ValkeyException ex)
                {
                    throw Stopped(fix, command.Text, sent, ex);
                }

                sent.Add(command.Text);
            }
        }

        _logger.LogInformation("Doctor fix {FixId} sent {Commands}", fix.Id, sent);
        // The cluster's topology changed: the monitor re-reads it, so the check-up after the fix sees the new state.
        var after = await CheckAsync(cancellationToken);
        return new DoctorFixOutcome(fix, finding, false, steps, after);
    }

    /// <summary>A step carried out by another part (the open-slot repair): its failure names the step, and what was sent before it.</summary>
    private static async Task RunStepAsync(DoctorFix fix, DoctorFixStep step, Func<CancellationToken, Task> run, List<string> sent, CancellationToken cancellationToken)
    {
        try
        {
            await run(cancellationToken);
        }
        catch (Exception ex) when (ex is ValkeyException or KeyMoveException)
        {
            throw Stopped(fix, step.Description, sent, ex);
        }

        sent.AddRange(step.Commands.Select(c => c.Text));
    }

    private static DoctorFixFailedException Stopped(DoctorFix fix, string what, List<string> sent, Exception ex) => new(
        $"fix {fix.Id} stopped: {what} failed: {ErrorText.Brief(ex)}" +
        (sent.Count == 0 ? " (nothing was sent before it)" : $"; sent before it: {string.Join("; ", sent)}"), ex);

    private async Task<(DoctorFix Fix, DoctorFinding Finding, ImmutableArray<DoctorFixStep> Steps)> PlanAsync(string fixId, DoctorFixRequest request, CancellationToken cancellationToken)
    {
        var known = _issuedFixIds.ContainsKey(fixId);
        var report = await CheckAsync(cancellationToken);
        var finding = report.Findings.FirstOrDefault(f => string.Equals(f.Fix?.Id, fixId, StringComparison.Ordinal));
        if (finding is null)
        {
            var id = ErrorText.Clip(fixId, 80);
            throw known
                ? RequestRefusedException.Conflict($"the finding of fix {id} is gone: the cluster no longer shows it (fixed already, or changed since). GET /api/doctor lists what it finds now.")
                : RequestRefusedException.NotFound($"there is no fix {id}; GET /api/doctor lists the findings and their fixes");
        }

        var steps = await finding.Fix!.PlanAsync(request, this, cancellationToken);
        return (finding.Fix, finding, steps);
    }

    private async Task<DoctorObservations> ObserveAsync(CancellationToken cancellationToken)
    {
        var snapshot = await _monitor.RefreshTopologyAsync(cancellationToken);
        if (snapshot.State == ClusterState.Unreachable)
        {
            throw new RequestRefusedException(RefusalKind.Unavailable, $"the doctor cannot look at the cluster: no node answers ({snapshot.Error})");
        }

        var observed = await Task.WhenAll(snapshot.Nodes.Where(n => n.Health != NodeHealth.Failed).Select(ObserveAsync));
        return new DoctorObservations(snapshot, observed.ToImmutableDictionary(o => o.Node.Id, StringComparer.OrdinalIgnoreCase), _time.GetUtcNow(), _options)
        {
            SlotsBeingMoved = _migrations.Active.Aggregate(SlotRangeSet.Empty, (moving, m) => moving.Union(m.Slots)),
        };
    }

    /// <summary>What one node answers; only the commands its server has (slot statistics from Valkey 8, atomic migrations from Valkey 9).</summary>
    private async Task<NodeObservation> ObserveAsync(ClusterNode node)
    {
        try
        {
            var view = await _valkey.ClusterNodesAsync(node.Endpoint);
            var slotStats = node.Capabilities.HasFlag(NodeCapabilities.SlotStats)
                ? await _valkey.ConfigGetAsync(node.Endpoint, Checks.SlotStatsDisabledCheck.ConfigName)
                : null;
            var migrations = node.Capabilities.HasFlag(NodeCapabilities.AtomicSlotMigration)
                ? await _valkey.GetSlotMigrationsAsync(node.Endpoint)
                : [];
            return new NodeObservation(node, view, slotStats, migrations);
        }
        catch (ValkeyException ex)
        {
            _logger.LogDebug(ex, "Doctor could not read {Endpoint}", node.Endpoint);
            return new NodeObservation(node, [], null, [], ErrorText.Brief(ex));
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CheckAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (RequestRefusedException ex)
            {
                // No node answers: the monitor has said so once already; a stack trace every check-up would bury it.
                _logger.LogDebug("Doctor check-up skipped: {Reason}", ex.Message);
            }
            catch (Exception ex)
            {
                // A failed check-up (a bug, a reply it cannot read) must not stop the next one.
                _logger.LogWarning(ex, "Doctor check-up failed");
            }

            try
            {
                await Task.Delay(_options.CheckInterval, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
