using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ValkeyDashboard.Cluster.Storage;
using ValkeyDashboard.Cluster.Telemetry;

namespace ValkeyDashboard.Cluster.Migrations;

/// <summary>
/// Every migration this dashboard started, running and finished: the in-memory view the API and the pages read, kept
/// in step with the SQLite history (<see cref="MigrationStore"/>), with subscriptions to changes and waits for a
/// state. Loaded from the history when the dashboard starts. The commands add to it, the tracker updates it; nothing
/// here talks to Valkey. Each change is reported to <paramref name="telemetry"/> (spans, the finished migration's figures).
/// </summary>
public sealed class MigrationRegistry(MigrationStore store, ILogger<MigrationRegistry> logger, OperationTelemetry? telemetry = null)
    : RecordRegistry<Migration>(store, "migration"), IHostedService
{
    private readonly Channel<bool> _work = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>The migration one of whose jobs is Valkey job <paramref name="valkeyJobName"/>, if this dashboard started it.</summary>
    public Migration? FindByValkeyJob(string valkeyJobName) =>
        All.FirstOrDefault(m => m.Jobs.Any(j => j.ValkeyJobName == valkeyJobName));

    /// <summary>Every Valkey job name some migration already follows.</summary>
    public HashSet<string> KnownValkeyJobs() =>
        All.SelectMany(m => m.Jobs).Select(j => j.ValkeyJobName).OfType<string>().ToHashSet(StringComparer.Ordinal);

    /// <summary>Loads the history; migrations that were running when the dashboard stopped are followed again by the tracker.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var unfinished = await LoadAsync(cancellationToken);
        if (unfinished > 0)
        {
            logger.LogInformation("Re-attaching to {Count} migration(s) that were running when the dashboard stopped", unfinished);
            Nudge();
        }
    }

    /// <summary>Ends every subscriber's stream (the dashboard is stopping).</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        CompleteSubscribers();
        return Task.CompletedTask;
    }

    /// <summary>Waits until a migration is added or the tracker is otherwise asked to look (returns at once when one is pending).</summary>
    public async Task WaitForWorkAsync(CancellationToken cancellationToken) => await _work.Reader.ReadAsync(cancellationToken);

    /// <summary>Asks the tracker to look now (a migration was added, a cancel was sent).</summary>
    public void Nudge() => _work.Writer.TryWrite(true);

    protected override void OnAdded() => Nudge();

    protected override void OnChanged(Migration? before, Migration after) => telemetry?.MigrationChanged(before, after);

    protected override void OnReloaded(int unfinished)
    {
        logger.LogInformation("The cluster was identified after the start: {Count} of its migration(s) had not finished and are followed again", unfinished);
        Nudge();
    }

    protected override string Describe(Migration? record) =>
        $"it is {record?.State}, jobs: {string.Join("; ", record?.Jobs.Select(j => $"{j.SourceEndpoint} {j.ValkeyState} {j.Message}") ?? [])}";
}
