using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Migrations.Keys;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Migrations.OpenSlots;

/// <summary>How an open slot is settled. Values are part of the wire contract.</summary>
public enum OpenSlotFix
{
    /// <summary>Move the remaining keys on to the importing node, which then owns the slot everywhere.</summary>
    Finish = 0,

    /// <summary>Move any keys back to the owner and close the slot on it; it keeps the slot everywhere.</summary>
    RollBack = 1,

    /// <summary>A state no automatic fix is safe for (e.g. several nodes migrating); the reason says what to look at.</summary>
    Manual = 2,
}

/// <summary>One command of a repair, exactly as it is sent (keys of a MIGRATE and passwords shown by a placeholder).</summary>
public sealed record OpenSlotRepairStep(string Endpoint, string Command);

/// <summary>
/// What settling an open slot takes, decided by where its keys are as <c>valkey-cli --cluster fix</c> decides: migrating
/// on one node and importing on another is finished (the keys go on to the importing node) — unless the importing
/// node holds none of them yet, when closing the slot on both is the smaller change (rolled back, nothing moves);
/// importing only (keys written there by hand, or a move that never reached the source) is rolled back to the owner;
/// migrating only is closed on its owner. <see cref="Steps"/> lists the exact commands (a dry run);
/// <see cref="ExecuteAsync"/> sends them. The cluster doctor builds its open-slot fix on this.
/// </summary>
public sealed class OpenSlotRepair
{
    private readonly SlotKeyMover _mover;
    private readonly ValkeyAdminClient _valkey;
    private readonly OpenSlotDecision _decision;
    private readonly ImmutableArray<NodeAddress> _primaries;
    private readonly bool _replace;

    private OpenSlotRepair(
        OpenSlot slot, OpenSlotDecision decision, ImmutableArray<OpenSlotRepairStep> steps, ImmutableArray<NodeAddress> primaries, ValkeyAdminClient valkey, SlotKeyMover mover, bool replace)
    {
        _replace = replace;
        Slot = slot;
        _decision = decision;
        Steps = steps;
        _primaries = primaries;
        _valkey = valkey;
        _mover = mover;
    }

    public OpenSlot Slot { get; }

    public OpenSlotFix Fix => _decision.Fix;

    /// <summary>What the repair does and why, in a sentence.</summary>
    public string Description => _decision.Reason;

    /// <summary>The commands <see cref="ExecuteAsync"/> sends, in order, without sending them.</summary>
    public ImmutableArray<OpenSlotRepairStep> Steps { get; }

    /// <summary>
    /// Reads where the slot's keys are (<c>CLUSTER COUNTKEYSINSLOT</c> on every online primary) and decides the repair.
    /// Throws <see cref="ValkeyException"/> when a primary does not answer. With <paramref name="replace"/> a key the
    /// new owner already has is overwritten by the moving copy (what <c>valkey-cli --cluster fix</c> does: while a slot
    /// is open, clients are served the migrating node's copy, so the other one is stale — e.g. left by a MIGRATE that
    /// timed out after the target had stored it); without it such a key stops the repair.
    /// </summary>
    public static async Task<OpenSlotRepair> PlanAsync(ValkeyAdminClient valkey, OpenSlot slot, IEnumerable<ClusterNode> primaries, KeyMigrationOptions options, bool replace = false)
    {
        var online = primaries.Where(p => p.IsPrimary && p.Health == NodeHealth.Online).Select(p => new NodeAddress(p.Id, p.Endpoint)).ToImmutableArray();
        var counts = await Task.WhenAll(online.Select(p => valkey.CountKeysInSlotAsync(p.Endpoint, slot.Slot)));
        var keys = online.Select((p, i) => (p, i)).ToDictionary(x => x.p.Id, x => counts[x.i], StringComparer.Ordinal);
        var decision = Decide(slot, online, keys);
        var mover = new SlotKeyMover(valkey, options);
        return new OpenSlotRepair(slot, decision, Describe(slot.Slot, decision, online, keys, valkey, options, replace), online, valkey, mover, replace);
    }

    /// <summary>The repair of <paramref name="slot"/> given the keys each primary holds in it; pure.</summary>
    public static OpenSlotDecision Decide(OpenSlot slot, IReadOnlyList<NodeAddress> primaries, IReadOnlyDictionary<string, long> keys)
    {
        var node = (string id) => primaries.FirstOrDefault(p => p.Id == id);
        var migrating = slot.Migrating.Select(m => m.Address).ToList();
        // Like valkey-cli: a primary holding keys of the slot without owning or importing it is treated as importing.
        var importing = slot.Importing.Select(i => i.Address)
            .Concat(primaries.Where(p => p.Id != slot.OwnerId && keys.GetValueOrDefault(p.Id) > 0 && slot.Importing.All(i => i.Id != p.Id) && slot.Migrating.All(m => m.Id != p.Id)))
            .ToList();
        var owner = slot.OwnerId is { } ownerId ? node(ownerId) : null;
        long KeysOn(NodeAddress n) => keys.GetValueOrDefault(n.Id);

        if (migrating.Count == 1 && importing.Count == 1)
        {
            var (source, target) = (migrating[0], importing[0]);
            return KeysOn(target) > 0 || KeysOn(source) == 0
                ? new(OpenSlotFix.Finish, target, source, [source], [],
                    $"slot {slot.Slot} is migrating from {source.Endpoint} ({KeysOn(source)} keys left) to {target.Endpoint} ({KeysOn(target)} keys arrived): finish the move")
                : new(OpenSlotFix.RollBack, source, null, [], [target, source],
                    $"slot {slot.Slot} is migrating from {source.Endpoint} to {target.Endpoint}, but all of its {KeysOn(source)} keys are still on {source.Endpoint}: roll back (close the slot; nothing moves)");
        }

        if (migrating.Count == 0 && importing.Count > 0 && owner is not null)
        {
            return new(OpenSlotFix.RollBack, owner, null, [.. importing.Where(i => KeysOn(i) > 0)], [.. importing],
                $"slot {slot.Slot} is importing on {string.Join(", ", importing.Select(i => i.Endpoint))} with no node migrating it: move their {importing.Sum(KeysOn)} keys back to the owner {owner.Endpoint} and close it");
        }

        if (migrating.Count == 1 && importing.Count == 0)
        {
            return new(OpenSlotFix.RollBack, migrating[0], null, [], [migrating[0]],
                $"slot {slot.Slot} is migrating on {migrating[0].Endpoint} but no node imports it or holds its keys: close it on {migrating[0].Endpoint}");
        }

        return new(OpenSlotFix.Manual, owner, null, [], [],
            $"slot {slot.Slot} is migrating on {migrating.Count} and importing on {importing.Count} nodes{(owner is null ? " and has no owner" : string.Empty)}: no automatic fix is safe; " +
            $"keys per node: {string.Join(", ", primaries.Where(p => KeysOn(p) > 0).Select(p => $"{p.Endpoint} {KeysOn(p)}"))}");
    }

    /// <summary>Sends the repair's commands. A key the new owner already has stops it (<see cref="KeyMoveException"/>, nothing overwritten).</summary>
    public async Task ExecuteAsync(CancellationToken cancellationToken = default)
    {
        if (_decision.Fix == OpenSlotFix.Manual || _decision.Owner is not { } owner)
        {
            throw RequestRefusedException.Conflict(_decision.Reason);
        }

        foreach (var from in _decision.MoveKeysFrom)
        {
            await _mover.MoveKeysAsync(Slot.Slot, from, owner, _replace, _ => { }, cancellationToken);
        }

        foreach (var node in _decision.Stabilize)
        {
            try
            {
                await _valkey.ClusterSetSlotAsync(node.Endpoint, Slot.Slot, SetSlotAction.Stable);
            }
            catch (ValkeyException ex)
            {
                throw new KeyMoveException($"slot {Slot.Slot}: SETSLOT STABLE on {node.Endpoint} failed: {ex.Message}", ex) { Slot = Slot.Slot };
            }
        }

        await _mover.AssignAsync(Slot.Slot, owner, _decision.Former, _primaries.Where(p => p.Id != owner.Id && p.Id != _decision.Former?.Id));
    }

    private static ImmutableArray<OpenSlotRepairStep> Describe(
        int slot, OpenSlotDecision decision, ImmutableArray<NodeAddress> primaries, Dictionary<string, long> keys, ValkeyAdminClient valkey, KeyMigrationOptions options, bool replace)
    {
        if (decision.Fix == OpenSlotFix.Manual || decision.Owner is not { } owner)
        {
            return [];
        }

        var steps = ImmutableArray.CreateBuilder<OpenSlotRepairStep>();
        foreach (var from in decision.MoveKeysFrom)
        {
            steps.Add(new(from.Endpoint, $"CLUSTER GETKEYSINSLOT {slot} {options.KeysPerBatch}"));
            steps.Add(new(from.Endpoint, valkey.DescribeMigrate(owner.Endpoint, options.MigrateTimeout, replace,
                $"<the keys it returned> (repeated until {from.Endpoint} has no key in slot {slot}; {keys.GetValueOrDefault(from.Id)} now)")));
        }

        steps.AddRange(decision.Stabilize.Select(n => new OpenSlotRepairStep(n.Endpoint, $"CLUSTER SETSLOT {slot} STABLE")));
        var order = new[] { owner }.Concat(decision.Former is { } former ? [former] : []).Concat(primaries.Where(p => p.Id != owner.Id && p.Id != decision.Former?.Id));
        steps.AddRange(order.Select(n => new OpenSlotRepairStep(n.Endpoint, $"CLUSTER SETSLOT {slot} NODE {owner.Id}")));
        return steps.ToImmutable();
    }
}

/// <summary>The repair of one open slot.</summary>
/// <param name="Fix">Finish, roll back, or leave to a person.</param>
/// <param name="Owner">The primary that owns the slot afterwards.</param>
/// <param name="Former">The primary that owned it before a finish (told second, after the new owner).</param>
/// <param name="MoveKeysFrom">Primaries whose keys of the slot move to <paramref name="Owner"/>.</param>
/// <param name="Stabilize">Primaries whose open state is cleared with <c>SETSLOT STABLE</c> before the slot is assigned.</param>
/// <param name="Reason">What is found and what the repair does.</param>
public sealed record OpenSlotDecision(OpenSlotFix Fix, NodeAddress? Owner, NodeAddress? Former, ImmutableArray<NodeAddress> MoveKeysFrom, ImmutableArray<NodeAddress> Stabilize, string Reason);
