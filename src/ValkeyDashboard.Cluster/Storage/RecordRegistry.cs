using System.Collections.Concurrent;
using System.Threading.Channels;
using ValkeyDashboard.Cluster.Concurrency;

namespace ValkeyDashboard.Cluster.Storage;

/// <summary>
/// Records of one kind of long-running operation, running and finished: the in-memory view the API and the pages read,
/// kept in step with their table (<see cref="RecordStore{T}"/>), with subscriptions to changes and waits for a state.
/// Only the current cluster's records are here: when the cluster is identified after the records were loaded (it was
/// unreachable at start) or changes, they are loaded again (<see cref="OnReloaded"/>).
/// </summary>
/// <typeparam name="T">The record (a migration, a plan).</typeparam>
public class RecordRegistry<T> : IDisposable
    where T : class, IRecord
{
    private readonly RecordStore<T> _store;
    private readonly string _what;
    private readonly ConcurrentDictionary<string, T> _records = new(StringComparer.Ordinal);
    private readonly SubscriberChannels<T> _subscribers = new(() => Channel.CreateUnbounded<T>(new UnboundedChannelOptions { SingleReader = true }));
    private readonly SemaphoreSlim _loadGate = new(1, 1);
    private bool _loaded;

    /// <param name="store">Where the records are kept.</param>
    /// <param name="what">What a record is called in messages: <c>migration</c>, <c>plan</c>.</param>
    protected RecordRegistry(RecordStore<T> store, string what)
    {
        _store = store;
        _what = what;
        store.Database.OnClusterIdentified(ReloadAsync);
    }

    /// <summary>Records that have not reached a final state, oldest first.</summary>
    public IReadOnlyList<T> Active => [.. _records.Values.Where(r => !r.IsFinished).OrderBy(r => r.CreatedAt)];

    public T? Find(string id) => _records.GetValueOrDefault(id);

    /// <summary>Newest first, <paramref name="pageSize"/> per page, pages from 1.</summary>
    public (IReadOnlyList<T> Items, int Total) List(int page, int pageSize)
    {
        var all = _records.Values.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id, StringComparer.Ordinal).ToList();
        return ([.. all.Skip((page - 1) * pageSize).Take(pageSize)], all.Count);
    }

    /// <summary>The record a request with this <c>Idempotency-Key</c> produced, if any.</summary>
    public T? FindByIdempotencyKey(string key) => _records.Values.FirstOrDefault(r => r.IdempotencyKey == key);

    /// <summary>How many records there are per <paramref name="key"/> (e.g. per state), for the metrics.</summary>
    public Dictionary<TKey, int> CountBy<TKey>(Func<T, TKey> key)
        where TKey : notnull =>
        _records.Values.CountBy(key).ToDictionary();

    protected IEnumerable<T> All => _records.Values;

    /// <summary>Loads every stored record of the current cluster; returns how many had not finished.</summary>
    protected async Task<int> LoadAsync(CancellationToken cancellationToken)
    {
        await _loadGate.WaitAsync(cancellationToken);
        try
        {
            await LoadCurrentClusterAsync(cancellationToken);
            _loaded = true;
            return _records.Values.Count(r => !r.IsFinished);
        }
        finally
        {
            _loadGate.Release();
        }
    }

    /// <summary>Called after the records were loaded again for another cluster, with how many had not finished.</summary>
    protected virtual void OnReloaded(int unfinished)
    {
    }

    private async Task ReloadAsync(string clusterId, CancellationToken cancellationToken)
    {
        await _loadGate.WaitAsync(cancellationToken);
        try
        {
            if (!_loaded)
            {
                // Not loaded yet: the start loads the current cluster's records.
                return;
            }

            await LoadCurrentClusterAsync(cancellationToken);
            foreach (var record in _records.Values)
            {
                _subscribers.Publish(record);
            }
        }
        finally
        {
            _loadGate.Release();
        }

        OnReloaded(_records.Values.Count(r => !r.IsFinished));
    }

    private async Task LoadCurrentClusterAsync(CancellationToken cancellationToken)
    {
        var records = await _store.LoadAllAsync(cancellationToken);
        _records.Clear();
        foreach (var record in records)
        {
            _records[record.Id] = record;
        }
    }

    /// <summary>Ends every subscriber's stream (the dashboard is stopping).</summary>
    protected void CompleteSubscribers() => _subscribers.CompleteAll();

    /// <summary>Records a new record: saved, then visible and published.</summary>
    public async Task AddAsync(T record, CancellationToken cancellationToken = default)
    {
        await _store.SaveAsync(record, cancellationToken);
        _records[record.Id] = record;
        _subscribers.Publish(record);
        OnChanged(null, record);
        OnAdded();
    }

    /// <summary>Called after a record was added.</summary>
    protected virtual void OnAdded()
    {
    }

    /// <summary>Called after a record was added (<paramref name="before"/> null) or changed, whether or not the change was published.</summary>
    protected virtual void OnChanged(T? before, T after)
    {
    }

    /// <summary>
    /// Changes a record in memory (atomically with other changes to it) and publishes the result when
    /// <paramref name="publishIf"/> says the change matters (always when not given). The caller saves it when it is
    /// worth keeping.
    /// </summary>
    public T Update(string id, Func<T, T> change, Func<T, T, bool>? publishIf = null)
    {
        T? before = null;
        var updated = _records.AddOrUpdate(id, _ => throw new KeyNotFoundException(id), (_, r) =>
        {
            before = r;
            return change(r);
        });
        if (publishIf is null || publishIf(before!, updated))
        {
            _subscribers.Publish(updated);
        }

        OnChanged(before, updated);
        return updated;
    }

    /// <summary>Writes a record's current state.</summary>
    public Task SaveAsync(T record, CancellationToken cancellationToken = default) => _store.SaveAsync(record, cancellationToken);

    /// <summary>Every change to any record, as it happens (each subscriber has its own queue).</summary>
    public IAsyncEnumerable<T> WatchAsync(CancellationToken cancellationToken = default) => _subscribers.SubscribeAsync(cancellationToken: cancellationToken);

    /// <summary>Waits until record <paramref name="id"/> satisfies <paramref name="predicate"/> (its current state counts).</summary>
    public async Task<T> WaitForAsync(string id, Func<T, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);

        // Subscribed before the current state is read, so no update in between is missed.
        using var updates = _subscribers.Subscribe();
        try
        {
            var current = Find(id) ?? throw RequestRefusedException.NotFound($"there is no {_what} {id}");
            if (predicate(current))
            {
                return current;
            }

            await foreach (var _ in updates.Reader.ReadAllAsync(cts.Token))
            {
                var latest = Find(id)!;
                if (predicate(latest))
                {
                    return latest;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        throw new TimeoutException($"{_what} {id} did not reach the expected state within {timeout.TotalSeconds:0.#} s ({Describe(Find(id))})");
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _loadGate.Dispose();
        }
    }

    /// <summary>What a timeout message says of the record's state.</summary>
    protected virtual string Describe(T? record) => record is null ? "it is gone" : $"it is {record.StateName}";
}
