using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Cluster.Storage;
using ValkeyDashboard.Cluster.Text;

namespace ValkeyDashboard.Cluster.Audit;

/// <summary>
/// The audit log of every change asked of the dashboard, and the one way operations write it: <see cref="RunAsync{T}"/>
/// runs an operation and records what came of it (accepted, refused with the reason, failed with the error), with the
/// same clipping of what clients sent and the same clock everywhere. A failed write never changes what happened: it is
/// logged loudly with the whole entry, and the operation's own outcome (its result or its exception) stands.
/// Kept in the dashboard's SQLite database (<see cref="AuditStore"/>); <see cref="WatchAsync"/> sees new entries.
/// </summary>
public sealed class AuditLog : IDisposable
{
    /// <summary>Longest actor name, subject and detail kept (what clients send can be anything).</summary>
    public const int MaxActorLength = 100, MaxSubjectLength = 200, MaxDetailLength = 2000;

    private readonly AuditStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SubscriberChannels<AuditEntry> _subscribers = new(() => Channel.CreateUnbounded<AuditEntry>(new UnboundedChannelOptions { SingleReader = true }));

    private readonly AuditRetentionOptions _retention;

    public AuditLog(AuditStore store, TimeProvider? time = null, ILogger<AuditLog>? logger = null, IOptions<AuditRetentionOptions>? retention = null)
    {
        _store = store;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _retention = retention?.Value ?? new AuditRetentionOptions();
    }

    /// <summary>
    /// Runs <paramref name="operation"/> and records its outcome: accepted with <paramref name="describe"/>'s text,
    /// refused with the refusal's reason, or failed with the error. Returns the result or rethrows, either way after
    /// the entry is written (or its failure logged).
    /// </summary>
    public async Task<T> RunAsync<T>(string actor, string action, string subject, Func<Task<T>> operation, Func<T, string?> describe)
    {
        T result;
        try
        {
            result = await operation();
        }
        catch (RequestRefusedException ex)
        {
            await RecordAsync(actor, action, subject, AuditOutcome.Refused, ex.Message);
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await RecordAsync(actor, action, subject, AuditOutcome.Failed, ErrorText.Brief(ex));
            throw;
        }

        await RecordAsync(actor, action, subject, AuditOutcome.Accepted, describe(result));
        return result;
    }

    /// <summary>
    /// Records one entry (clipped) and returns it as stored; null when it could not be written, which is logged as an
    /// error with the whole entry and never thrown: the audit must not turn a done change into a failure.
    /// </summary>
    public async Task<AuditEntry?> RecordAsync(string actor, string action, string subject, AuditOutcome outcome, string? detail, CancellationToken cancellationToken = default)
    {
        actor = ErrorText.Clip(actor, MaxActorLength);
        subject = ErrorText.Clip(subject, MaxSubjectLength);
        detail = detail is null ? null : ErrorText.Clip(detail, MaxDetailLength);
        AuditEntry entry;
        try
        {
            var now = _time.GetUtcNow();
            entry = await _store.AddAsync(now, actor, action, subject, outcome, detail, cancellationToken);
            // Kept within bounds as it grows: nothing older than the retention, no more than the most entries.
            await _store.PruneAsync(now - TimeSpan.FromDays(_retention.RetentionDays), _retention.MaxEntries, cancellationToken);
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            _logger.LogError(ex, "AUDIT ENTRY NOT WRITTEN: {Action} on {Subject} by {Actor}: {Outcome} ({Detail})", action, subject, actor, outcome, detail);
            return null;
        }

        _subscribers.Publish(entry);
        return entry;
    }

    /// <summary>
    /// Replaces the detail of entry <paramref name="id"/> (clipped), for an entry that counts repeated events (refused
    /// sign-ins of one client in one minute); false, logged, when it could not be written.
    /// </summary>
    public async Task<bool> ReviseDetailAsync(long id, string detail, CancellationToken cancellationToken = default)
    {
        try
        {
            await _store.UpdateDetailAsync(id, ErrorText.Clip(detail, MaxDetailLength), cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            _logger.LogError(ex, "AUDIT ENTRY NOT UPDATED: entry {Id} ({Detail})", id, detail);
            return false;
        }
    }

    /// <summary>Newest first, <paramref name="pageSize"/> per page, pages from 1; and how many there are in all.</summary>
    public Task<(IReadOnlyList<AuditEntry> Items, int Total)> ListAsync(int page, int pageSize, CancellationToken cancellationToken = default) =>
        _store.ListAsync(page, pageSize, cancellationToken);

    /// <summary>Every entry recorded from now on.</summary>
    public async IAsyncEnumerable<AuditEntry> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var entry in _subscribers.SubscribeAsync(cancellationToken: cancellationToken))
        {
            yield return entry;
        }
    }

    public void Dispose() => _subscribers.CompleteAll();
}
