using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Cluster.Storage;

namespace ValkeyDashboard.Cluster.Migrations;

/// <summary>
/// Every migration this dashboard started, running and finished: the in-memory view the API and the pages read, kept
/// in step with the SQLite history (<see cref="MigrationStore"/>), with subscriptions to changes and waits for a
/// state. Loaded from the history when the dashboard starts. The commands add to it, the tracker updates it; nothing
/// here talks to Valkey.
/// </summary>
public sealed class MigrationRegistry : IHostedService
{
    private readonly MigrationStore _store;
    private readonly ILogger<MigrationRegistry> _logger;
    private readonly ConcurrentDictionary<string, Migration> _migrations = new(StringComparer.Ordinal);
    private readonly SubscriberChannels<Migration> _subscribers = new(() => Channel.CreateUnbounded<Migration>(new UnboundedChannelOptions { SingleReader = true }));
    private readonly Channel<bool> _added = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public MigrationRegistry(MigrationStore store, ILogger<MigrationRegistry> logger)
    {
        _store = store;
        _logger = logger;
    }

    /// <summary>Migrations that have not reached a final state, oldest first.</summary>
    public IReadOnlyList<Migration> Active => [.. _migrations.Values.Where(m => !m.IsFinished).OrderBy(m => m.CreatedAt)];

    public Migration? Find(string id) => _migrations.GetValueOrDefault(id);

    /// <summary>Newest first, <paramref name="pageSize"/> per page, pages from 1.</summary>
    public (IReadOnlyList<Migration> Items, int Total) List(int page, int pageSize)
    {
        var all = _migrations.Values.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id, StringComparer.Ordinal).ToList();
        return ([.. all.Skip((page - 1) * pageSize).Take(pageSize)], all.Count);
    }

    /// <summary>The migration a start with this <c>Idempotency-Key</c> produced, if any.</summary>
    public Migration? FindByIdempotencyKey(string key) => _migrations.Values.FirstOrDefault(m => m.IdempotencyKey == key);

    /// <summary>The migration one of whose jobs is Valkey job <paramref name="valkeyJobName"/>, if this dashboard started it.</summary>
    public Migration? FindByValkeyJob(string valkeyJobName) =>
        _migrations.Values.FirstOrDefault(m => m.Jobs.Any(j => j.ValkeyJobName == valkeyJobName));

    /// <summary>Every Valkey job name some migration already follows.</summary>
    public HashSet<string> KnownValkeyJobs() =>
        _migrations.Values.SelectMany(m => m.Jobs).Select(j => j.ValkeyJobName).OfType<string>().ToHashSet(StringComparer.Ordinal);

    /// <summary>Loads the history; migrations that were running when the dashboard stopped are followed again by the tracker.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var migration in await _store.LoadAllAsync(cancellationToken))
        {
            _migrations[migration.Id] = migration;
        }

        var unfinished = _migrations.Values.Count(m => !m.IsFinished);
        if (unfinished > 0)
        {
            _logger.LogInformation("Re-attaching to {Count} migration(s) that were running when the dashboard stopped", unfinished);
            _added.Writer.TryWrite(true);
        }
    }

    /// <summary>Ends every subscriber's stream (the dashboard is stopping).</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscribers.CompleteAll();
        return Task.CompletedTask;
    }

    /// <summary>Records a new migration: saved to the history, then visible and published.</summary>
    public async Task AddAsync(Migration migration, CancellationToken cancellationToken = default)
    {
        await _store.SaveAsync(migration, cancellationToken);
        _migrations[migration.Id] = migration;
        _subscribers.Publish(migration);
        _added.Writer.TryWrite(true);
    }

    /// <summary>
    /// Changes a migration in memory (atomically with other changes to it) and publishes the result when
    /// <paramref name="publishIf"/> says the change matters (always when not given). The caller saves it when it is
    /// worth keeping.
    /// </summary>
    public Migration Update(string id, Func<Migration, Migration> change, Func<Migration, Migration, bool>? publishIf = null)
    {
        Migration? before = null;
        var updated = _migrations.AddOrUpdate(id, _ => throw new KeyNotFoundException(id), (_, m) =>
        {
            before = m;
            return change(m);
        });
        if (publishIf is null || publishIf(before!, updated))
        {
            _subscribers.Publish(updated);
        }

        return updated;
    }

    /// <summary>Writes a migration's current record to the history.</summary>
    public Task SaveAsync(Migration migration, CancellationToken cancellationToken = default) => _store.SaveAsync(migration, cancellationToken);

    /// <summary>Waits until a migration is added or the tracker is otherwise asked to look (returns at once when one is pending).</summary>
    public async Task WaitForWorkAsync(CancellationToken cancellationToken) => await _added.Reader.ReadAsync(cancellationToken);

    /// <summary>Asks the tracker to look now (e.g. after a cancel was sent).</summary>
    public void Nudge() => _added.Writer.TryWrite(true);

    /// <summary>Every change to any migration, as it happens (each subscriber has its own queue).</summary>
    public IAsyncEnumerable<Migration> WatchAsync(CancellationToken cancellationToken = default) => _subscribers.SubscribeAsync(cancellationToken: cancellationToken);

    /// <summary>Waits until migration <paramref name="id"/> satisfies <paramref name="predicate"/> (its current state counts).</summary>
    public async Task<Migration> WaitForAsync(string id, Func<Migration, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);

        // Subscribed before the current state is read, so no update in between is missed.
        using var updates = _subscribers.Subscribe();
        try
        {
            var current = Find(id) ?? throw RequestRefusedException.NotFound($"there is no migration {id}");
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

        var last = Find(id);
        throw new TimeoutException($"migration {id} did not reach the expected state within {timeout.TotalSeconds:0.#} s (it is {last?.State}, jobs: {string.Join("; ", last?.Jobs.Select(j => $"{j.SourceEndpoint} {j.ValkeyState} {j.Message}") ?? [])})");
    }
}
