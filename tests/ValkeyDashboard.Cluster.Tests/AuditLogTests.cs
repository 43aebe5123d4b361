using Microsoft.Extensions.Logging;
using ValkeyDashboard.Cluster.Audit;
using ValkeyDashboard.Cluster.Storage;

namespace ValkeyDashboard.Cluster.Tests;

/// <summary>
/// The one way operations are audited: what came of the operation is recorded with the same clipping and clock
/// everywhere, and a log that cannot be written never changes what the operation did or returned.
/// </summary>
public sealed class AuditLogTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"audit-{Guid.NewGuid():N}.db");
    private readonly DashboardDatabase _database;
    private readonly AuditStore _store;
    private readonly CapturingLogger _logger = new();
    private readonly AuditLog _audit;

    public AuditLogTests()
    {
        _database = new DashboardDatabase(_path);
        _store = new AuditStore(_database);
        _audit = new AuditLog(_store, new FixedTime(Now), _logger);
    }

    [Fact]
    public async Task An_operation_that_succeeds_is_recorded_accepted_with_its_description_at_the_clocks_time()
    {
        var result = await _audit.RunAsync("ops", AuditActions.NodeStop, "127.0.0.1:7001", () => Task.FromResult(42), r => $"stopped after {r}");

        var entry = Assert.Single((await _audit.ListAsync(1, 10)).Items);
        Assert.Equal(42, result);
        Assert.Equal(("ops", "node.stop", "127.0.0.1:7001", AuditOutcome.Accepted, "stopped after 42"), (entry.Actor, entry.Action, entry.Subject, entry.Outcome, entry.Detail));
        Assert.Equal(Now, entry.At);
    }

    [Fact]
    public async Task A_refused_operation_is_recorded_refused_with_the_reason_and_the_refusal_still_reaches_the_caller()
    {
        var refused = await Assert.ThrowsAsync<RequestRefusedException>(() =>
            _audit.RunAsync<int>("api", AuditActions.MigrationCancel, "01ab", () => throw RequestRefusedException.Conflict("migration 01ab has already succeeded"), _ => null));

        var entry = Assert.Single((await _audit.ListAsync(1, 10)).Items);
        Assert.Equal(RefusalKind.Conflict, refused.Kind);
        Assert.Equal((AuditOutcome.Refused, "migration 01ab has already succeeded"), (entry.Outcome, entry.Detail));
    }

    [Fact]
    public async Task A_failed_operation_is_recorded_failed_with_the_error_and_rethrown()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            _audit.RunAsync<int>("api", AuditActions.NodeAdd, "primary", () => throw new InvalidOperationException("no node of the embedded cluster is running"), _ => null));

        var entry = Assert.Single((await _audit.ListAsync(1, 10)).Items);
        Assert.Equal((AuditOutcome.Failed, "no node of the embedded cluster is running"), (entry.Outcome, entry.Detail));
    }

    [Fact]
    public async Task An_audit_that_cannot_be_written_leaves_the_operations_result_and_logs_the_whole_entry()
    {
        _store.Dispose();

        var result = await _audit.RunAsync("ops", AuditActions.NodeStart, "127.0.0.1:7004", () => Task.FromResult("started"), r => r);

        Assert.Equal("started", result);
        var error = Assert.Single(_logger.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains("node.start", error.Message, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:7004", error.Message, StringComparison.Ordinal);
        Assert.Contains("Accepted", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_audit_that_cannot_be_written_does_not_replace_the_operations_own_refusal()
    {
        _store.Dispose();

        var refused = await Assert.ThrowsAsync<RequestRefusedException>(() =>
            _audit.RunAsync<int>("ops", AuditActions.NodeStop, "x", () => throw RequestRefusedException.NotFound("there is no node x"), _ => null));

        Assert.Equal("there is no node x", refused.Message);
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("Refused", StringComparison.Ordinal));
    }

    [Fact]
    public async Task What_clients_sent_is_clipped_the_same_way_for_every_operation()
    {
        var entry = await _audit.RecordAsync(new string('a', 500), AuditActions.MigrationStart, new string('s', 500), AuditOutcome.Refused, new string('d', 5000));

        Assert.Equal(AuditLog.MaxActorLength + 1, entry!.Actor.Length);
        Assert.Equal(AuditLog.MaxSubjectLength + 1, entry.Subject.Length);
        Assert.Equal(AuditLog.MaxDetailLength + 1, entry.Detail!.Length);
        Assert.EndsWith("…", entry.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_watcher_sees_each_new_entry()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var watch = _audit.WatchAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        var next = watch.MoveNextAsync();

        await _audit.RecordAsync("browser", AuditActions.SignIn, "from 127.0.0.1", AuditOutcome.Accepted, "operator");

        Assert.True(await next);
        Assert.Equal(AuditActions.SignIn, watch.Current.Action);
    }

    public void Dispose()
    {
        _audit.Dispose();
        _store.Dispose();
        _database.Dispose();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed class CapturingLogger : ILogger<AuditLog>
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}
