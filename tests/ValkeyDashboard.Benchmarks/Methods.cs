using System.Diagnostics;
using System.Globalization;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Benchmarks;

/// <summary>The five ways of moving slots that are compared. Values are their order in a round.</summary>
internal enum MigrationMethod
{
    /// <summary>(a) the dashboard's REST API.</summary>
    DashboardApi = 0,

    /// <summary>(b) raw <c>CLUSTER MIGRATESLOTS</c>, followed with <c>CLUSTER GETSLOTMIGRATIONS</c>.</summary>
    MigrateSlots = 1,

    /// <summary>(c) <c>valkey-cli --cluster reshard --cluster-use-atomic-slot-migration</c>.</summary>
    CliAtomicReshard = 2,

    /// <summary>(d) <c>valkey-cli --cluster reshard</c>, the legacy key-by-key path.</summary>
    CliLegacyReshard = 3,

    /// <summary>(e) the dashboard's REST API with <c>"engine": "keys"</c>: its own key-by-key engine.</summary>
    DashboardKeysApi = 4,
}

/// <summary>One direction of a there-and-back.</summary>
/// <param name="Elapsed">The measured time.</param>
/// <param name="SlotsMoved">Slots whose owner changed (valkey-cli chooses them itself).</param>
/// <param name="Accepted">(a) only: when <c>POST /api/migrations</c> answered 202.</param>
/// <param name="Plan">(c)/(d) only: valkey-cli's "Moving slot range …" plan line, when it printed one.</param>
internal sealed record Direction(TimeSpan Elapsed, int SlotsMoved, TimeSpan? Accepted = null, string? Plan = null);

/// <summary>One there-and-back: the slots to the target, then back to their source.</summary>
internal sealed record Measurement(Direction There, Direction Back)
{
    /// <summary>The steady client load that ran during the move, when the run had one.</summary>
    public ClientLoadResult? Load { get; init; }

    public TimeSpan Total => There.Elapsed + Back.Elapsed;
}

/// <summary>What is moved: <see cref="Slots"/> from primary A (<see cref="SourceId"/>) to primary B (<see cref="TargetId"/>) and back.</summary>
internal sealed record MigrationScenario(
    string SourceId,
    string SourceEndpoint,
    string TargetId,
    string TargetEndpoint,
    SlotRangeSet Slots,
    SlotLayout Original,
    long TotalKeys,
    long KeysInSlots);

/// <summary>
/// The four measured methods. Each moves the slots there and back and times each direction; after every direction
/// (untimed) it checks that no key was lost and waits until the cluster has settled on the expected layout.
/// </summary>
internal sealed class Methods(DashboardClient dashboard, ValkeyCluster cluster, string valkeyCli, string password, MigrationScenario scenario)
{
    public static string Letter(MigrationMethod method) => ((char)('a' + (int)method)).ToString();

    public static string Describe(MigrationMethod method) => method switch
    {
        MigrationMethod.DashboardApi => "dashboard REST API (`POST /api/migrations`, then `GET /api/migrations/{id}?wait=60`, which answers when it has finished)",
        MigrationMethod.MigrateSlots => "raw `CLUSTER MIGRATESLOTS` (`CLUSTER GETSLOTMIGRATIONS` every 10 ms until `success`)",
        MigrationMethod.CliAtomicReshard => "`valkey-cli --cluster reshard --cluster-use-atomic-slot-migration`",
        MigrationMethod.CliLegacyReshard => "`valkey-cli --cluster reshard` (legacy key-by-key `MIGRATE`)",
        MigrationMethod.DashboardKeysApi => "dashboard REST API with `\"engine\": \"keys\"` (its key-by-key engine: 500 keys per `MIGRATE`, 16 slots in flight)",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
    };

    public Task<Measurement> MeasureAsync(MigrationMethod method, CancellationToken cancellationToken) => method switch
    {
        MigrationMethod.DashboardApi => ViaDashboardAsync(cancellationToken),
        MigrationMethod.MigrateSlots => ViaMigrateSlotsAsync(cancellationToken),
        MigrationMethod.CliAtomicReshard => ViaReshardAsync(atomic: true, cancellationToken),
        MigrationMethod.CliLegacyReshard => ViaReshardAsync(atomic: false, cancellationToken),
        MigrationMethod.DashboardKeysApi => ViaDashboardAsync(cancellationToken, engine: "keys"),
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
    };

    /// <summary>(a)/(e) Time from sending the POST to the answer of the waiting GET that reports <c>succeeded</c>, each direction.</summary>
    private async Task<Measurement> ViaDashboardAsync(CancellationToken cancellationToken, string? engine = null) =>
        await ThereAndBackAsync(engine is null ? "(a)" : "(e)", exactSlots: true, async (_, toId) =>
        {
            var clock = Stopwatch.StartNew();
            var id = await dashboard.StartMigrationAsync(scenario.Slots, toId, cancellationToken, engine);
            var accepted = clock.Elapsed;
            while (true)
            {
                var migration = await dashboard.WaitForMigrationAsync(id, waitSeconds: 60, cancellationToken);
                switch (migration.State)
                {
                    case "succeeded":
                        return (clock.Elapsed, accepted, null);
                    case "failed" or "cancelled":
                        throw new BenchmarkFailedException($"dashboard migration {id} ended {migration.State}: {migration.Body}");
                }

                if (clock.Elapsed > ValkeyCluster.MigrationTimeout)
                {
                    throw new BenchmarkFailedException($"dashboard migration {id} did not succeed within {ValkeyCluster.MigrationTimeout.TotalMinutes:0} min: {migration.Body}");
                }

            }
        }, cancellationToken);

    /// <summary>(b) Time from sending MIGRATESLOTS (to the owner) to the poll that sees <c>success</c>, each direction.</summary>
    private async Task<Measurement> ViaMigrateSlotsAsync(CancellationToken cancellationToken) =>
        await ThereAndBackAsync("(b)", exactSlots: true, async (fromId, toId) =>
        {
            var elapsed = await cluster.MigrateAsync(scenario.Original.Endpoints[fromId], scenario.Slots, toId, Poll.MeasurementInterval, cancellationToken);
            return (elapsed, null, null);
        }, cancellationToken);

    /// <summary>(c)/(d) The whole <c>valkey-cli --cluster reshard</c> command, each direction. It chooses the slots itself.</summary>
    private async Task<Measurement> ViaReshardAsync(bool atomic, CancellationToken cancellationToken) =>
        await ThereAndBackAsync(atomic ? "(c)" : "(d)", exactSlots: false, async (fromId, toId) =>
        {
            List<string> arguments =
            [
                "--cluster", "reshard", scenario.Original.Endpoints[scenario.SourceId],
                "--cluster-from", fromId,
                "--cluster-to", toId,
                "--cluster-slots", scenario.Slots.SlotCount.ToString(CultureInfo.InvariantCulture),
                "--cluster-yes",
            ];
            if (atomic)
            {
                arguments.Add("--cluster-use-atomic-slot-migration");
            }

            // The password goes through the environment, so it is in no command line that a report or error prints.
            var result = (await ExternalCommand.RunAsync(valkeyCli, arguments, ValkeyCluster.MigrationTimeout, cancellationToken,
                environment: new Dictionary<string, string?> { ["VALKEYCLI_AUTH"] = password })).EnsureSuccess();
            if (result.Output.Contains("[ERR]", StringComparison.Ordinal))
            {
                throw new BenchmarkFailedException($"`{result.CommandLine}` reported an error:\n{result.Tail()}");
            }

            var plan = result.Output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("Moving slot range", StringComparison.Ordinal));
            return (result.Elapsed, null, plan);
        }, cancellationToken);

    /// <summary>
    /// Moves the slots A → B, then B → A, with <paramref name="move"/> (which returns its own measured time). After each
    /// direction, untimed: the cluster settles with B (then A) owning the moved slots, and no key is lost.
    /// </summary>
    private async Task<Measurement> ThereAndBackAsync(
        string label,
        bool exactSlots,
        Func<string, string, Task<(TimeSpan Elapsed, TimeSpan? Accepted, string? Plan)>> move,
        CancellationToken cancellationToken)
    {
        var there = await DirectionAsync($"{label} there", scenario.SourceId, scenario.TargetId, exactSlots ? scenario.Original.With(scenario.Slots, scenario.TargetId) : null);
        var back = await DirectionAsync($"{label} back", scenario.TargetId, scenario.SourceId, exactSlots ? scenario.Original : null);
        return new Measurement(there, back);

        async Task<Direction> DirectionAsync(string what, string fromId, string toId, SlotLayout? expected)
        {
            var before = await cluster.ReadLayoutAsync(cluster.Seed);
            var (elapsed, accepted, plan) = await move(fromId, toId);
            var after = await cluster.WaitUntilSettledAsync($"the cluster to settle after {what}", layout =>
            {
                if (expected is not null)
                {
                    return layout.SameOwnership(expected) ? null : $"the layout is {layout}, expected {expected}";
                }

                var moves = before.MovesTo(layout);
                return moves.Count == 1 && moves[0].From == fromId && moves[0].To == toId
                    ? null
                    : $"expected slots to move only from {before.Endpoints[fromId]} to {before.Endpoints[toId]}; the layout went from {before} to {layout}";
            }, cancellationToken);
            await cluster.WaitForKeyCountAsync(scenario.TotalKeys, what, cancellationToken);
            return new Direction(elapsed, before.MovesTo(after).Sum(m => m.Slots.SlotCount), accepted, plan);
        }
    }
}
