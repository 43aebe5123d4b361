using System.Collections.Immutable;
using System.Threading.Channels;
using ValkeyDashboard.Cluster;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Cluster.Restarts;

namespace ValkeyDashboard.Components.Tests;

/// <summary>
/// A hand-written rolling restart service (no mocking library): the test sets what a preview answers
/// (<see cref="Steps"/>, or a function of fail-back, or <see cref="PreviewError"/>) and whether a start or a change is
/// refused, reads what the UI asked for, and feeds <see cref="WatchAsync"/> through <see cref="Publish"/> (channels).
/// A start answers a running rolling restart of the previewed steps; pause, resume and cancel answer it changed as the
/// service would (and publish it), or throw the error set for them.
/// </summary>
public sealed class FakeRollingRestarts : IRollingRestarts, IDisposable
{
    private readonly SubscriberChannels<RollingRestart> _subscribers = new(() => Channel.CreateUnbounded<RollingRestart>());
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RollingRestart> _all = new(StringComparer.Ordinal);
    private readonly List<string> _requests = [];
    private readonly List<RollingRestartRequest> _starts = [];

    /// <summary>What a preview answers, unless <see cref="StepsFor"/> or <see cref="PreviewError"/> is set.</summary>
    public ImmutableArray<RestartStep> Steps { get; set; } = TestRestarts.Steps();

    /// <summary>What a preview answers for a fail-back choice (takes precedence over <see cref="Steps"/>).</summary>
    public Func<bool, ImmutableArray<RestartStep>>? StepsFor { get; set; }

    /// <summary>Thrown by <see cref="PreviewAsync"/>.</summary>
    public Exception? PreviewError { get; set; }

    /// <summary>Thrown by <see cref="StartAsync"/>.</summary>
    public Exception? StartError { get; set; }

    /// <summary>Thrown by pause, resume and cancel.</summary>
    public Exception? ChangeError { get; set; }

    /// <summary>The id <see cref="StartAsync"/> gives the rolling restart it starts.</summary>
    public string NextId { get; set; } = "r-started";

    /// <summary>What was asked, in order: "preview [ids] failBack={b}", "start [ids] failBack={b} by {who}", "pause {id} by {who}", "resume …", "cancel …".</summary>
    public IReadOnlyList<string> Requests => Locked(() => _requests.ToList());

    public IReadOnlyList<RollingRestartRequest> Starts => Locked(() => _starts.ToList());

    public int SubscriberCount => _subscribers.Count;

    public IReadOnlyList<RollingRestart> Active => Locked(() => _all.Values.Where(r => !r.IsFinished).OrderBy(r => r.CreatedAt).ToList());

    public RollingRestart? Find(string id) => Locked(() => _all.GetValueOrDefault(id));

    public (IReadOnlyList<RollingRestart> Items, int Total) List(int page, int pageSize) => Locked(() =>
    {
        var all = _all.Values.OrderByDescending(r => r.CreatedAt).ToList();
        return ((IReadOnlyList<RollingRestart>)all.Skip((page - 1) * pageSize).Take(pageSize).ToList(), all.Count);
    });

    public IAsyncEnumerable<RollingRestart> WatchAsync(CancellationToken cancellationToken = default) =>
        _subscribers.SubscribeAsync(cancellationToken: cancellationToken);

    public async Task<RollingRestart> WaitForAsync(string id, Func<RollingRestart, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        await using var updates = WatchAsync(deadline.Token).GetAsyncEnumerator(deadline.Token);
        var next = updates.MoveNextAsync();
        if (Find(id) is { } now && predicate(now))
        {
            return now;
        }

        try
        {
            while (await next)
            {
                if (updates.Current.Id == id && predicate(updates.Current))
                {
                    return updates.Current;
                }

                next = updates.MoveNextAsync();
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        return Find(id) ?? throw RequestRefusedException.NotFound($"there is no rolling restart {id}");
    }

    public Task<ImmutableArray<RestartStep>> PreviewAsync(ImmutableArray<string> nodeIds, bool failBack, CancellationToken cancellationToken = default)
    {
        Ask($"preview [{string.Join(",", nodeIds)}] failBack={failBack}");
        return PreviewError is { } error
            ? Task.FromException<ImmutableArray<RestartStep>>(error)
            : Task.FromResult(StepsFor?.Invoke(failBack) ?? Steps);
    }

    public Task<(RollingRestart RollingRestart, bool Created)> StartAsync(RollingRestartRequest request, CancellationToken cancellationToken = default)
    {
        Ask($"start [{string.Join(",", request.NodeIds)}] failBack={request.FailBack} by {request.RequestedBy}");
        lock (_gate)
        {
            _starts.Add(request);
        }

        if (StartError is { } error)
        {
            return Task.FromException<(RollingRestart, bool)>(error);
        }

        var started = TestRestarts.Running(NextId, StepsFor?.Invoke(request.FailBack) ?? Steps) with { FailBack = request.FailBack, RequestedBy = request.RequestedBy };
        Publish(started);
        return Task.FromResult((started, true));
    }

    public Task<RollingRestart> PauseAsync(string id, string requestedBy) =>
        ChangeAsync($"pause {id} by {requestedBy}", id, r => r with { PauseRequested = true, Error = $"pausing (asked by {requestedBy}) once the node being restarted is back" });

    public Task<RollingRestart> ResumeAsync(string id, string requestedBy) =>
        ChangeAsync($"resume {id} by {requestedBy}", id, r => r with { State = RollingRestartState.Running, PauseRequested = false, Error = null });

    public Task<RollingRestart> CancelAsync(string id, string requestedBy) =>
        ChangeAsync($"cancel {id} by {requestedBy}", id, r => r with { CancelRequested = true, Error = $"cancelling (asked by {requestedBy}) once the node being restarted is back" });

    /// <summary>Records <paramref name="rollingRestart"/> and tells every watcher, as the service does on every change.</summary>
    public void Publish(RollingRestart rollingRestart) => _subscribers.Publish(rollingRestart, () =>
    {
        lock (_gate)
        {
            _all[rollingRestart.Id] = rollingRestart;
        }
    });

    public void Dispose() => _subscribers.CompleteAll();

    private Task<RollingRestart> ChangeAsync(string request, string id, Func<RollingRestart, RollingRestart> change)
    {
        Ask(request);
        if (ChangeError is { } error)
        {
            return Task.FromException<RollingRestart>(error);
        }

        if (Find(id) is not { } known)
        {
            return Task.FromException<RollingRestart>(RequestRefusedException.NotFound($"there is no rolling restart {id}"));
        }

        var changed = change(known);
        Publish(changed);
        return Task.FromResult(changed);
    }

    private void Ask(string request)
    {
        lock (_gate)
        {
            _requests.Add(request);
        }
    }

    private T Locked<T>(Func<T> read)
    {
        lock (_gate)
        {
            return read();
        }
    }
}
