using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ValkeyDashboard.Cluster.Audit;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Text;

namespace ValkeyDashboard.Cluster.Load;

/// <summary>
/// A demo load, so a first run of the dashboard shows something: GETs and SETs of <c>demo:</c> keys at a bounded rate
/// for a bounded time through a client of the dashboard's own (<see cref="ClusterClients"/>). One at a time; start and
/// stop are audited; off in External mode unless <see cref="DemoLoadOptions.AllowExternal"/>. Stops by itself after
/// its duration and when the dashboard stops. The keys stay (the heat map and plans have something to show).
/// </summary>
public sealed class DemoLoadService(
    ClusterClients clients,
    AuditLog audit,
    IOptions<DemoLoadOptions> options,
    IOptions<ValkeyOptions> valkey,
    TimeProvider time,
    ILogger<DemoLoadService> logger) : IDemoLoad, IHostedService, IAsyncDisposable
{
    /// <summary>How often the state is published while a load runs.</summary>
    private static readonly TimeSpan PublishInterval = TimeSpan.FromSeconds(1);

    /// <summary>How often operations are issued (the ones due since the last tick, together).</summary>
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _disposed;
    private readonly SubscriberChannels<DemoLoadState> _subscribers = new(() => Channel.CreateBounded<DemoLoadState>(
        new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true }));
    private readonly BackgroundLoop _loop = new();
    private ConnectionMultiplexer? _client;
    private DemoLoadState _current = DemoLoadState.None;
    private long _opsDone;
    private long _errors;

    public DemoLoadState Current => Volatile.Read(ref _current) is { Running: true } running ? WithCounters(running) : _current;

    public string? NotAllowedReason => valkey.Value.Mode == ValkeyMode.External && !options.Value.AllowExternal
        ? "the demo load is off for an existing cluster (External mode): it would write demo: keys into a cluster this dashboard does not own; set Dashboard:Load:AllowExternal to true to allow it"
        : null;

    public Task<DemoLoadState> StartAsync(int? keys, int? valueBytes, int? opsPerSecond, string? skew, int? durationSeconds, string requestedBy, CancellationToken cancellationToken = default) =>
        audit.RunAsync(
            requestedBy, AuditActions.LoadStart, "demo load",
            () => StartCoreAsync(keys, valueBytes, opsPerSecond, skew, durationSeconds, requestedBy, cancellationToken),
            state => $"started: {state.Parameters}");

    public Task<DemoLoadState> StopAsync(string requestedBy, CancellationToken cancellationToken = default) =>
        audit.RunAsync(
            requestedBy, AuditActions.LoadStop, "demo load",
            () => StopCoreAsync($"stopped by {requestedBy}", refuseWhenIdle: true, cancellationToken),
            state => $"stopped after {state.OpsDone} operations ({state.Errors} errors, {state.RateAchieved:0} ops/s)");

    public IAsyncEnumerable<DemoLoadState> WatchAsync(CancellationToken cancellationToken = default) =>
        _subscribers.SubscribeAsync(() => Current, cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The dashboard is stopping: the load stops with it.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // A host whose start failed has disposed its services before it is stopped: nothing runs then.
        if (Volatile.Read(ref _disposed))
        {
            return;
        }

        try
        {
            await StopCoreAsync("the dashboard stopped", refuseWhenIdle: false, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's shutdown time ran out before this service's turn (another service was slow): disposing
            // stops the loop without waiting for anyone, and a hosted stop must not fail the host's shutdown.
            logger.LogWarning("The dashboard's shutdown time ran out before the demo load stopped; it stops as the dashboard's services are disposed");
        }

        _subscribers.CompleteAll();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, true))
        {
            return;
        }

        await _loop.StopAsync(CancellationToken.None);
        if (Interlocked.Exchange(ref _client, null) is { } client)
        {
            await client.DisposeAsync();
        }

        _gate.Dispose();
    }

    private async Task<DemoLoadState> StartCoreAsync(int? keys, int? valueBytes, int? opsPerSecond, string? skew, int? durationSeconds, string requestedBy, CancellationToken cancellationToken)
    {
        var parameters = DemoLoadParameters.Resolve(keys, valueBytes, opsPerSecond, skew, durationSeconds, options.Value);
        if (NotAllowedReason is { } reason)
        {
            throw RequestRefusedException.Conflict(reason);
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_current.Running)
            {
                throw RequestRefusedException.Conflict($"a demo load started by {_current.StartedBy} at {_current.StartedAt:u} is running ({_current.Parameters}); stop it first (DELETE /api/load)");
            }

            try
            {
                _client ??= await clients.ConnectAsync("valkey-dashboard-demo-load");
            }
            catch (RedisException ex)
            {
                throw new RequestRefusedException(RefusalKind.Unavailable, $"the cluster did not answer: {ErrorText.Brief(ex)}");
            }

            var client = _client;
            var plan = new DemoLoadKeys(parameters, key => client.HashSlot(key));
            Interlocked.Exchange(ref _opsDone, 0);
            Interlocked.Exchange(ref _errors, 0);
            var started = new DemoLoadState(true, requestedBy, time.GetUtcNow(), null, null, parameters, 0, 0, 0);
            _subscribers.Publish(started, () => Volatile.Write(ref _current, started));
            _loop.Start(stopping => RunAsync(client.GetDatabase(), parameters, plan, stopping));
            logger.LogInformation("Demo load started by {RequestedBy}: {Parameters}", requestedBy, parameters.ToString());
            return started;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<DemoLoadState> StopCoreAsync(string reason, bool refuseWhenIdle, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!_current.Running)
            {
                return refuseWhenIdle ? throw RequestRefusedException.Conflict("no demo load is running; nothing changed") : _current;
            }

            await _loop.StopAsync(cancellationToken);
            return Finish(reason);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The final state of the running load, published.</summary>
    private DemoLoadState Finish(string reason)
    {
        var stopped = WithCounters(_current) with { Running = false, StoppedAt = time.GetUtcNow(), StopReason = reason };
        _subscribers.Publish(stopped, () => Volatile.Write(ref _current, stopped));
        logger.LogInformation("Demo load {Reason}: {OpsDone} operations, {Errors} errors, {Rate:0} ops/s", reason, stopped.OpsDone, stopped.Errors, stopped.RateAchieved);
        return stopped;
    }

    private async Task RunAsync(IDatabase database, DemoLoadParameters parameters, DemoLoadKeys plan, CancellationToken stopping)
    {
        var value = new byte[parameters.ValueBytes];
        Array.Fill(value, (byte)'x');
        var random = new Random();
        var started = Stopwatch.GetTimestamp();
        var duration = TimeSpan.FromSeconds(parameters.DurationSeconds);
        var lastPublished = started;
        long issued = 0;
        using var timer = new PeriodicTimer(Tick);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                var elapsed = Stopwatch.GetElapsedTime(started);
                if (elapsed >= duration)
                {
                    break;
                }

                // The operations due since the start, together; a cluster slower than the rate lowers the rate achieved, never queues more.
                var due = (long)(elapsed.TotalSeconds * parameters.OpsPerSecond) - issued;
                var batch = new Task[Math.Max(0, due)];
                for (var i = 0; i < batch.Length; i++)
                {
                    var key = (RedisKey)plan.Key(plan.Next(random));
                    batch[i] = CountAsync(random.Next(2) == 0 ? database.StringSetAsync(key, value) : database.StringGetAsync(key));
                }

                issued += batch.Length;
                await Task.WhenAll(batch);
                if (Stopwatch.GetElapsedTime(lastPublished) >= PublishInterval)
                {
                    lastPublished = Stopwatch.GetTimestamp();
                    var progress = WithCounters(_current);
                    _subscribers.Publish(progress);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            logger.LogWarning("The demo load stopped: {Reason}", ErrorText.Brief(ex));
            _ = FinishFromLoopAsync($"stopped by an error: {ErrorText.Brief(ex)}");
            return;
        }

        _ = FinishFromLoopAsync($"ran for its {parameters.DurationSeconds} s");
    }

    /// <summary>The load ended by itself: its loop is released and the state says why (unless a stop came first).</summary>
    private async Task FinishFromLoopAsync(string reason)
    {
        // Off the loop's own task, which the stop below waits for.
        await Task.Yield();
        await _gate.WaitAsync();
        try
        {
            if (_current.Running)
            {
                await _loop.StopAsync(CancellationToken.None);
                Finish(reason);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task CountAsync(Task operation)
    {
        try
        {
            await operation.ConfigureAwait(false);
            Interlocked.Increment(ref _opsDone);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Interlocked.Increment(ref _errors);
        }
    }

    private DemoLoadState WithCounters(DemoLoadState state)
    {
        var ops = Interlocked.Read(ref _opsDone);
        var seconds = state.StartedAt is { } start ? ((state.StoppedAt ?? time.GetUtcNow()) - start).TotalSeconds : 0;
        return state with { OpsDone = ops, Errors = Interlocked.Read(ref _errors), RateAchieved = seconds > 0 ? Math.Round(ops / seconds, 1) : 0 };
    }
}
