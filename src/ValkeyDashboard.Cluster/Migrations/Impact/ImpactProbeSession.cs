using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using ValkeyDashboard.Cluster.Text;

namespace ValkeyDashboard.Cluster.Migrations.Impact;

/// <summary>
/// The probe of one running migration: at a small fixed rate it writes and reads its keys in the moving slots and
/// elsewhere through an ordinary cluster client (MOVED and ASK followed by StackExchange.Redis, as an application's
/// client would), times each operation, and retries a failed write to a moving slot until it succeeds, which measures
/// the write pause at hand-over. A probe key in a moving slot moves with the slot. <see cref="FinishAsync"/> stops
/// the loop, probes each moving key once more on its new owner, deletes every probe key and returns the figures.
/// </summary>
internal sealed class ImpactProbeSession : IDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(5);

    private readonly IDatabase _database;
    private readonly ImmutableArray<RedisKey> _moving;
    private readonly ImmutableArray<RedisKey> _elsewhere;
    private readonly ImpactProbeOptions _options;
    private readonly ImpactProbeMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ImpactSamples _samples = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public ImpactProbeSession(IDatabase database, ImmutableArray<RedisKey> moving, ImmutableArray<RedisKey> elsewhere, ImpactProbeOptions options, ImpactProbeMetrics metrics, ILogger logger)
    {
        _database = database;
        _moving = moving;
        _elsewhere = elsewhere;
        _options = options;
        _metrics = metrics;
        _logger = logger;
    }

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Stops probing, probes each moving key once on its new owner, deletes the probe keys; the figures.</summary>
    public async Task<MigrationImpact> FinishAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        foreach (var key in _moving)
        {
            await WriteAsync(key, moving: true, Stopwatch.GetTimestamp(), CancellationToken.None, retry: false);
            await ReadAsync(key, moving: true);
        }

        // One by one: a cluster client refuses a DEL of keys in several slots.
        foreach (var key in _moving.Concat(_elsewhere))
        {
            await DeleteQuietlyAsync(key);
        }

        return _samples.ToImpact();
    }

    public void Dispose() => _stop.Dispose();

    private async Task RunAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / _options.OpsPerSecond));
        var step = 0L;
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                // Four steps a round: write and read a moving key, write and read one elsewhere; each key in turn.
                var moving = step % 4 < 2;
                var keys = moving || _elsewhere.IsEmpty ? _moving : _elsewhere;
                var key = keys[(int)(step / 4 % keys.Length)];
                if (step % 2 == 0)
                {
                    await WriteAsync(key, moving, Stopwatch.GetTimestamp(), stopping);
                }
                else
                {
                    await ReadAsync(key, moving);
                }

                step++;
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _logger.LogWarning("The migration impact probe stopped early: {Reason}", ErrorText.Brief(ex));
        }
    }

    /// <summary>
    /// SET with the keys' TTL; a write to a moving slot is retried after an error (when <paramref name="retry"/>) until
    /// it succeeds or <see cref="ImpactProbeOptions.WriteRetryFor"/> passed, so its stall spans the whole pause.
    /// </summary>
    private async Task WriteAsync(RedisKey key, bool moving, long due, CancellationToken stopping, bool retry = true)
    {
        while (true)
        {
            var start = Stopwatch.GetTimestamp();
            try
            {
                await _database.StringSetAsync(key, due, _options.KeyTtl).ConfigureAwait(false);
                Record(moving, "set", start);
                if (moving)
                {
                    _samples.AddWriteStall(Stopwatch.GetElapsedTime(due).TotalMilliseconds);
                }

                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                RecordError(moving, ex);
                if (!moving || !retry || Stopwatch.GetElapsedTime(due) >= _options.WriteRetryFor)
                {
                    return;
                }
            }

            await Task.Delay(RetryDelay, stopping);
        }
    }

    private async Task ReadAsync(RedisKey key, bool moving)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            await _database.StringGetAsync(key).ConfigureAwait(false);
            Record(moving, "get", start);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            RecordError(moving, ex);
        }
    }

    private void Record(bool moving, string operation, long start)
    {
        var milliseconds = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        _samples.AddLatency(moving, milliseconds);
        _metrics.RecordLatency(moving, operation, milliseconds);
    }

    private void RecordError(bool moving, Exception ex)
    {
        _samples.AddError();
        _metrics.RecordError(moving, ErrorKind(ex));
    }

    private async Task DeleteQuietlyAsync(RedisKey key)
    {
        try
        {
            await _database.KeyDeleteAsync(key).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _logger.LogWarning("Could not delete probe key {Key} (it expires by itself): {Reason}", key.ToString(), ex.Message);
        }
    }

    /// <summary>The <c>kind</c> label of an error: <c>tryagain</c>, <c>timeout</c>, <c>connection</c> or <c>other</c>.</summary>
    internal static string ErrorKind(Exception ex) => ex switch
    {
        RedisServerException server when server.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal) => "tryagain",
        RedisTimeoutException or TimeoutException => "timeout",
        RedisConnectionException => "connection",
        _ => "other",
    };
}
