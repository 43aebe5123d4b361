using ValkeyDashboard.Cluster;
using System.Threading.Channels;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Concurrency;

namespace ValkeyDashboard.Components.Tests;

/// <summary>
/// A hand-written migration service: the test sets what the preflight answers (<see cref="Plan"/> or
/// <see cref="PreflightError"/>) and whether a start is refused (<see cref="StartError"/>), reads the requests
/// the UI made, and feeds <see cref="WatchAsync"/> through <see cref="Publish"/> (channels, no mocking library). A
/// cancel answers the migration as it stands, or <see cref="CancelError"/>, once <see cref="CancelAnswer"/> (when set) completes.
/// </summary>
public sealed class FakeSlotMigrations : ISlotMigrations, IDisposable
{
    private readonly SubscriberChannels<Migration> _subscribers = new(() => Channel.CreateUnbounded<Migration>());
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Migration> _migrations = new(StringComparer.Ordinal);
    private readonly List<MigrationRequest> _preflights = [];
    private readonly List<MigrationRequest> _starts = [];
    private readonly List<(string Id, string RequestedBy)> _cancels = [];

    /// <summary>What <see cref="PreflightAsync"/> returns, unless <see cref="PreflightError"/> is set.</summary>
    public MigrationPlan? Plan { get; set; }

    /// <summary>Thrown by <see cref="PreflightAsync"/>.</summary>
    public Exception? PreflightError { get; set; }

    /// <summary>Thrown by <see cref="StartAsync"/>.</summary>
    public Exception? StartError { get; set; }

    /// <summary>Thrown by <see cref="CancelAsync"/>, e.g. a refusal.</summary>
    public Exception? CancelError { get; set; }

    /// <summary>When set, <see cref="CancelAsync"/> answers only once this task completes (a cancel on its way).</summary>
    public Task? CancelAnswer { get; set; }

    /// <summary>The id <see cref="StartAsync"/> gives the migration it starts.</summary>
    public string NextId { get; set; } = "m-started";

    public IReadOnlyList<MigrationRequest> Preflights => Locked(() => _preflights.ToList());

    public IReadOnlyList<MigrationRequest> Starts => Locked(() => _starts.ToList());

    public IReadOnlyList<(string Id, string RequestedBy)> Cancels => Locked(() => _cancels.ToList());

    public int SubscriberCount => _subscribers.Count;

    public IReadOnlyList<Migration> Active => Locked(() => _migrations.Values.Where(m => !m.IsFinished).OrderBy(m => m.CreatedAt).ToList());

    public Migration? Find(string id) => Locked(() => _migrations.GetValueOrDefault(id));

    public (IReadOnlyList<Migration> Items, int Total) List(int page, int pageSize) => Locked(() =>
    {
        var all = _migrations.Values.OrderByDescending(m => m.CreatedAt).ToList();
        return ((IReadOnlyList<Migration>)all.Skip((page - 1) * pageSize).Take(pageSize).ToList(), all.Count);
    });

    public Task<MigrationPlan> PreflightAsync(MigrationRequest request, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _preflights.Add(request);
        }

        return PreflightError is { } error ? Task.FromException<MigrationPlan>(error)
            : Plan is { } plan ? Task.FromResult(plan)
            : throw new InvalidOperationException("The test set neither a plan nor a preflight error.");
    }

    public Task<MigrationStart> StartAsync(MigrationRequest request, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _starts.Add(request);
        }

        if (StartError is { } error)
        {
            return Task.FromException<MigrationStart>(error);
        }

        var migration = TestMigrations.Running(NextId) with
        {
            Slots = request.Slots,
            TargetNodeId = request.TargetNodeId!,
            RequestedBy = request.RequestedBy,
        };
        Publish(migration);
        return Task.FromResult(new MigrationStart(migration, Created: true));
    }

    public async Task<Migration> CancelAsync(string id, string requestedBy, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _cancels.Add((id, requestedBy));
        }

        if (CancelAnswer is { } answer)
        {
            await answer;
        }

        if (CancelError is { } error)
        {
            throw error;
        }

        return Find(id) ?? throw new RequestRefusedException(RefusalKind.NotFound, $"no migration {id}");
    }

    public IAsyncEnumerable<Migration> WatchAsync(CancellationToken cancellationToken = default) =>
        _subscribers.SubscribeAsync(cancellationToken: cancellationToken);

    /// <summary>Records <paramref name="migration"/> and tells every watcher, as the service does on every change.</summary>
    public void Publish(Migration migration) => _subscribers.Publish(migration, () =>
    {
        lock (_gate)
        {
            _migrations[migration.Id] = migration;
        }
    });

    public void Dispose() => _subscribers.CompleteAll();

    private T Locked<T>(Func<T> read)
    {
        lock (_gate)
        {
            return read();
        }
    }
}
