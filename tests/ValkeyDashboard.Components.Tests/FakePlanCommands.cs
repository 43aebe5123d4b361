using System.Threading.Channels;
using ValkeyDashboard.Cluster;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Cluster.Plans;

namespace ValkeyDashboard.Components.Tests;

/// <summary>
/// A hand-written plan service: the test sets what a preview answers (<see cref="Preview"/>, or a function of the
/// request, or <see cref="PreviewError"/>) and whether a start or a change is refused, reads the requests the UI made,
/// and feeds <see cref="WatchAsync"/> through <see cref="Publish"/> (channels, no mocking library). Pause, resume and
/// cancel answer the plan with its new state, or the error set for them, once <see cref="ChangeAnswer"/> (when set) completes.
/// </summary>
public sealed class FakePlanCommands : IPlanCommands, IDisposable
{
    private readonly SubscriberChannels<Plan> _subscribers = new(() => Channel.CreateUnbounded<Plan>());
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Plan> _plans = new(StringComparer.Ordinal);
    private readonly List<PlanRequest> _previews = [];
    private readonly List<PlanRequest> _starts = [];
    private readonly List<string> _changes = [];

    /// <summary>What a preview answers, unless <see cref="PreviewFor"/> or <see cref="PreviewError"/> is set.</summary>
    public PlanPreview? Preview { get; set; }

    /// <summary>What a preview answers for a request (takes precedence over <see cref="Preview"/>).</summary>
    public Func<PlanRequest, PlanPreview>? PreviewFor { get; set; }

    /// <summary>Thrown by <see cref="PreviewAsync"/>.</summary>
    public Exception? PreviewError { get; set; }

    /// <summary>When set, previews answer only once this task completes (a preview on its way).</summary>
    public Task? PreviewAnswer { get; set; }

    /// <summary>Thrown by <see cref="StartAsync"/>.</summary>
    public Exception? StartError { get; set; }

    /// <summary>Thrown by pause, resume and cancel.</summary>
    public Exception? ChangeError { get; set; }

    /// <summary>When set, pause, resume and cancel answer only once this task completes (a command on its way).</summary>
    public Task? ChangeAnswer { get; set; }

    /// <summary>The id <see cref="StartAsync"/> gives the plan it starts.</summary>
    public string NextId { get; set; } = "p-started";

    public IReadOnlyList<PlanRequest> Previews => Locked(() => _previews.ToList());

    public IReadOnlyList<PlanRequest> Starts => Locked(() => _starts.ToList());

    /// <summary>"pause {id} by {who}", "resume …", "cancel …", in order.</summary>
    public IReadOnlyList<string> Changes => Locked(() => _changes.ToList());

    public int SubscriberCount => _subscribers.Count;

    public IReadOnlyList<Plan> Active => Locked(() => _plans.Values.Where(p => !p.IsFinished).OrderBy(p => p.CreatedAt).ToList());

    public Plan? Find(string id) => Locked(() => _plans.GetValueOrDefault(id));

    public (IReadOnlyList<Plan> Items, int Total) List(int page, int pageSize) => Locked(() =>
    {
        var all = _plans.Values.OrderByDescending(p => p.CreatedAt).ToList();
        return ((IReadOnlyList<Plan>)all.Skip((page - 1) * pageSize).Take(pageSize).ToList(), all.Count);
    });

    public async Task<PlanPreview> PreviewAsync(PlanRequest request, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _previews.Add(request);
        }

        if (PreviewAnswer is { } answer)
        {
            await answer;
        }

        return PreviewError is { } error ? throw error
            : PreviewFor is { } compute ? compute(request)
            : Preview ?? throw new InvalidOperationException("The test set neither a preview nor a preview error.");
    }

    public Task<(Plan Plan, bool Created)> StartAsync(PlanRequest request, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _starts.Add(request);
        }

        if (StartError is { } error)
        {
            return Task.FromException<(Plan, bool)>(error);
        }

        var preview = PreviewFor?.Invoke(request) ?? Preview ?? TestPlans.Preview();
        var plan = TestPlans.Running(NextId, preview) with { Kind = request.Kind, Metric = request.Metric, NodeIds = request.NodeIds, RequestedBy = request.RequestedBy };
        Publish(plan);
        return Task.FromResult((plan, true));
    }

    public Task<Plan> PauseAsync(string id, string requestedBy) =>
        ChangeAsync($"pause {id} by {requestedBy}", id, p => p with { State = PlanState.Paused, Error = $"paused by {requestedBy}" });

    public Task<Plan> ResumeAsync(string id, string requestedBy) =>
        ChangeAsync($"resume {id} by {requestedBy}", id, p => p with { State = PlanState.Running, Error = null });

    public Task<Plan> CancelAsync(string id, string requestedBy) =>
        ChangeAsync($"cancel {id} by {requestedBy}", id, p => p with { CancelRequested = true, Error = $"cancelled by {requestedBy}" });

    public IAsyncEnumerable<Plan> WatchAsync(CancellationToken cancellationToken = default) =>
        _subscribers.SubscribeAsync(cancellationToken: cancellationToken);

    /// <summary>Records <paramref name="plan"/> and tells every watcher, as the service does on every change.</summary>
    public void Publish(Plan plan) => _subscribers.Publish(plan, () =>
    {
        lock (_gate)
        {
            _plans[plan.Id] = plan;
        }
    });

    public void Dispose() => _subscribers.CompleteAll();

    private async Task<Plan> ChangeAsync(string request, string id, Func<Plan, Plan> change)
    {
        lock (_gate)
        {
            _changes.Add(request);
        }

        if (ChangeAnswer is { } answer)
        {
            await answer;
        }

        if (ChangeError is { } error)
        {
            throw error;
        }

        var changed = change(Find(id) ?? throw RequestRefusedException.NotFound($"there is no plan {id}"));
        Publish(changed);
        return changed;
    }

    private T Locked<T>(Func<T> read)
    {
        lock (_gate)
        {
            return read();
        }
    }
}
