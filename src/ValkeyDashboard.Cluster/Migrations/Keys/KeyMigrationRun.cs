using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Migrations.Keys;

/// <summary>Where one job of a key-by-key migration stands, as its worker last reported it.</summary>
/// <param name="KeysMoved">Keys moved so far by this dashboard process plus those recorded before it started.</param>
/// <param name="SlotsMoved">Slots the target owns now.</param>
/// <param name="SlotsInFlight">Slots open right now.</param>
/// <param name="State">Running until every slot moved (succeeded), a slot failed (failed) or a cancel was honoured (cancelled).</param>
/// <param name="Message">Why it failed, or what had moved when it was cancelled.</param>
public sealed record KeyJobProgress(long KeysMoved, SlotRangeSet SlotsMoved, SlotRangeSet SlotsInFlight, MigrationState State, string? Message);

/// <summary>
/// The background worker of one key-by-key migration: for each job (source), its slots go through
/// <see cref="SlotKeyMover"/>, <see cref="KeyMigrationOptions.SlotsInFlight"/> at a time. Slots the target already owns
/// are only closed where still open (a restart resumes here); open slots go first. A failed slot stops the job (the
/// slots in flight finish) and stays open; a cancel lets the slots in flight finish and starts no other; stopping the
/// dashboard abandons the slots in flight between two batches (open, resumed at the next start).
/// </summary>
internal sealed class KeyMigrationRun : IAsyncDisposable
{
    private readonly Migration _migration;
    private readonly SlotKeyMover _mover;
    private readonly ValkeyAdminClient _valkey;
    private readonly Func<CancellationToken, Task<ClusterSnapshot>> _topology;
    private readonly Func<SlotKeyMover> _newLane;
    private readonly ConcurrentBag<SlotKeyMover> _lanes = [];
    private readonly ConcurrentBag<SlotKeyMover> _allLanes = [];
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly JobWork[] _jobs;
    private Task? _running;
    private volatile bool _cancelRequested;

    public KeyMigrationRun(
        Migration migration, SlotKeyMover mover, ValkeyAdminClient valkey, Func<CancellationToken, Task<ClusterSnapshot>> topology, Func<SlotKeyMover> newLane, ILogger logger)
    {
        _newLane = newLane;
        _migration = migration;
        _mover = mover;
        _valkey = valkey;
        _topology = topology;
        _logger = logger;
        _jobs = [.. migration.Jobs.Select(j => new JobWork(j))];
    }

    private int _disposed;

    public string MigrationId => _migration.Id;

    public void Start() => _running = Task.Run(() => RunAsync(_stopping.Token));

    /// <summary>Asks the worker to start no further slot; the ones in flight finish, so no slot is left split.</summary>
    public void RequestCancel() => _cancelRequested = true;

    /// <summary>Job <paramref name="index"/> as it stands now.</summary>
    public KeyJobProgress Progress(int index) => _jobs[index].Snapshot();

    /// <summary>True once every job has reached a final state.</summary>
    public bool IsFinished => _jobs.All(j => j.Snapshot().State != MigrationState.Running);

    /// <summary>Stops the worker and closes its connections; a second call (the engine's shutdown after the run's own end) does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        if (_running is not null)
        {
            await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await DisposeLanesAsync();
        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            var snapshot = await _topology(stopping);
            var target = new NodeAddress(_migration.TargetNodeId, _migration.TargetEndpoint);
            await Task.WhenAll(_jobs.Select(job => RunJobAsync(job, target, snapshot, stopping)));
            await DisposeLanesAsync();
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            _logger.LogInformation("Stopped key-by-key migration {MigrationId} with the dashboard; its open slots are finished when it starts again", _migration.Id);
        }
        catch (Exception ex)
        {
            // Nothing may escape a background worker unrecorded: the jobs still running fail with the reason.
            foreach (var job in _jobs)
            {
                job.Fail($"the key-by-key worker stopped: {ex.Message}");
                job.Finish(_cancelRequested, _migration);
            }
        }
    }

    private async Task RunJobAsync(JobWork job, NodeAddress target, ClusterSnapshot snapshot, CancellationToken stopping)
    {
        var source = new NodeAddress(job.Job.SourceNodeId, job.Job.SourceEndpoint);
        var others = snapshot.Primaries
            .Where(p => p.Id != source.Id && p.Id != target.Id && p.Health == NodeHealth.Online)
            .Select(p => new NodeAddress(p.Id, p.Endpoint))
            .ToList();
        var (done, open) = await ReadSlotsAsync(job.Job.Slots, source, target);
        foreach (var slot in done.Slots())
        {
            if (open.Contains(slot))
            {
                // Owned by the target, but the source has not been told yet (a restart between the two SETSLOT NODEs).
                await _mover.AssignAsync(slot, target, source, others);
            }

            job.Moved(slot);
        }

        var remaining = job.Job.Slots.Except(done).Slots().OrderBy(s => open.Contains(s) ? 0 : 1).ThenBy(s => s);
        await Parallel.ForEachAsync(remaining, new ParallelOptions { MaxDegreeOfParallelism = _mover.Options.SlotsInFlight, CancellationToken = stopping }, async (slot, token) =>
        {
            if (_cancelRequested || job.HasFailed)
            {
                return;
            }

            job.Begin(slot);
            var lane = TakeLane();
            try
            {
                await lane.OpenAsync(slot, source, target);
                await lane.MoveKeysAsync(slot, source, target, _migration.Replace, job.AddKeys, token);
                await lane.AssignAsync(slot, target, source, others);
                job.Moved(slot);
            }
            catch (KeyMoveException ex)
            {
                _logger.LogWarning("Key-by-key migration {MigrationId} stopped: {Reason}", _migration.Id, ex.Message);
                job.Fail(ex.Message);
            }
            finally
            {
                _lanes.Add(lane);
                job.End(slot);
            }
        });

        job.Finish(_cancelRequested, _migration);
    }

    private SlotKeyMover TakeLane()
    {
        if (_lanes.TryTake(out var lane))
        {
            return lane;
        }

        lane = _newLane();
        _allLanes.Add(lane);
        return lane;
    }

    private async Task DisposeLanesAsync()
    {
        while (_allLanes.TryTake(out var lane))
        {
            await lane.DisposeAsync();
        }

        _lanes.Clear();
    }

    /// <summary>
    /// The job's slots the target already owns (its own view), and the slots open on the source or the target — what
    /// a worker resuming after a restart must finish first.
    /// </summary>
    private async Task<(SlotRangeSet Done, SlotRangeSet Open)> ReadSlotsAsync(SlotRangeSet slots, NodeAddress source, NodeAddress target)
    {
        try
        {
            var targetView = await _valkey.ClusterNodesAsync(target.Endpoint);
            var sourceView = await _valkey.ClusterNodesAsync(source.Endpoint);
            var owned = targetView.Single(l => l.IsMyself).Slots.Intersect(slots);
            var open = SlotRangeSet.FromSlots(targetView.Concat(sourceView).Where(l => l.IsMyself).SelectMany(l => l.OpenSlots).Select(o => o.Slot).Where(slots.Contains)
                .Concat(sourceView.Single(l => l.IsMyself).Slots.Intersect(owned).Slots()));
            return (owned, open);
        }
        catch (ValkeyException ex)
        {
            throw new KeyMoveException($"could not read which slots {target.Endpoint} and {source.Endpoint} own: {ex.Message}", ex);
        }
    }

    /// <summary>One job's progress, written by the worker's tasks and read by the tracker.</summary>
    private sealed class JobWork(MigrationJob job)
    {
        private readonly object _gate = new();
        private readonly HashSet<int> _moved = [.. job.SlotsMoved?.Slots() ?? []];
        private readonly ConcurrentDictionary<int, bool> _inFlight = new();
        private long _keys = job.KeysMoved;
        private string? _failure;
        private MigrationState _state = MigrationState.Running;
        private string? _message;

        public MigrationJob Job => job;

        public bool HasFailed => Volatile.Read(ref _failure) is not null;

        public void AddKeys(int count) => Interlocked.Add(ref _keys, count);

        public void Begin(int slot) => _inFlight[slot] = true;

        public void End(int slot) => _inFlight.TryRemove(slot, out _);

        public void Moved(int slot)
        {
            lock (_gate)
            {
                _moved.Add(slot);
            }
        }

        public void Fail(string message) => Interlocked.CompareExchange(ref _failure, message, null);

        public void Finish(bool cancelled, Migration migration)
        {
            lock (_gate)
            {
                if (_state != MigrationState.Running)
                {
                    return;
                }

                var moved = SlotRangeSet.FromSlots(_moved);
                (_state, _message) = _failure is not null ? (MigrationState.Failed, _failure)
                    : moved.Equals(job.Slots) ? (MigrationState.Succeeded, null)
                    : cancelled ? (MigrationState.Cancelled, CancelledMessage(moved, migration))
                    : (MigrationState.Failed, $"stopped with slots {job.Slots.Except(moved)} not moved");
            }
        }

        public KeyJobProgress Snapshot()
        {
            lock (_gate)
            {
                return new KeyJobProgress(Interlocked.Read(ref _keys), SlotRangeSet.FromSlots(_moved), SlotRangeSet.FromSlots(_inFlight.Keys), _state, _message);
            }
        }

        private string CancelledMessage(SlotRangeSet moved, Migration migration) =>
            moved.IsEmpty
                ? $"Cancelled before any slot moved; slots {job.Slots} stayed on {job.SourceEndpoint}"
                : $"Cancelled after moving slots {moved} of {job.Slots} to {migration.TargetEndpoint}; the others ({job.Slots.Except(moved)}) stayed on {job.SourceEndpoint}";
    }
}
