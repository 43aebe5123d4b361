using System.Collections.Immutable;

namespace ValkeyDashboard.Cluster.Doctor;

/// <summary>What an operator may ask of a fix: today only which primary takes unassigned slots.</summary>
/// <param name="PrimaryId">The primary to assign slots to; null lets the fix choose.</param>
public sealed record DoctorFixRequest(string? PrimaryId = null)
{
    public static DoctorFixRequest Default { get; } = new();
}

/// <summary>A primary a fix may be pointed at.</summary>
public sealed record DoctorFixChoice(string NodeId, string Endpoint);

/// <summary>One step of a fix: what it does and the exact commands it sends, in order.</summary>
public sealed record DoctorFixStep(string Description, ImmutableArray<DoctorCommand> Commands)
{
    /// <summary>
    /// When set, the step is carried out by this (which sends exactly <see cref="Commands"/>, e.g. the open-slot repair,
    /// whose MIGRATE batches repeat until a slot is empty) instead of the doctor sending the commands one by one.
    /// </summary>
    public Func<CancellationToken, Task>? Run { get; init; }
}

/// <summary>
/// What the dashboard can do about a finding. <see cref="PlanAsync"/> decides the exact steps now (with the operator's
/// choices, after checking what must hold first: it refuses with <see cref="RequestRefusedException"/> otherwise); the
/// doctor shows them for a dry run or sends them. A fix may have several steps (finishing an open slot has some), each
/// with its commands.
/// </summary>
public abstract class DoctorFix
{
    protected DoctorFix(string id, string description)
    {
        Id = id;
        Description = description;
    }

    /// <summary>Stable for the same finding: <c>{fix kind}-{the finding's hash}</c>.</summary>
    public string Id { get; }

    /// <summary>What it does, in a sentence.</summary>
    public string Description { get; }

    /// <summary>The primaries an operator may choose from (<see cref="DoctorFixRequest.PrimaryId"/>); empty when the fix takes no choice.</summary>
    public virtual ImmutableArray<DoctorFixChoice> PrimaryChoices => [];

    /// <summary>The steps this fix would take now, checked against the cluster.</summary>
    public abstract Task<ImmutableArray<DoctorFixStep>> PlanAsync(DoctorFixRequest request, IDoctorProbe probe, CancellationToken cancellationToken);

    /// <summary>Refuses a request that chooses a primary, for a fix that takes no choice.</summary>
    protected void RefuseChoice(DoctorFixRequest request)
    {
        if (request.PrimaryId is not null)
        {
            throw RequestRefusedException.Invalid($"the fix {Id} takes no primaryId; it does: {Description}");
        }
    }
}

/// <summary>A fix whose steps are known when the finding is made, with nothing to check before sending them.</summary>
public sealed class FixedStepsFix(string id, string description, ImmutableArray<DoctorFixStep> steps) : DoctorFix(id, description)
{
    public ImmutableArray<DoctorFixStep> Steps { get; } = steps;

    public override Task<ImmutableArray<DoctorFixStep>> PlanAsync(DoctorFixRequest request, IDoctorProbe probe, CancellationToken cancellationToken)
    {
        RefuseChoice(request);
        return Task.FromResult(Steps);
    }
}

/// <summary>What a fix may read from the cluster while it plans (nothing it may change).</summary>
public interface IDoctorProbe
{
    /// <summary>Keys the node holds in each of <paramref name="slots"/> (<c>CLUSTER COUNTKEYSINSLOT</c>), summed.</summary>
    Task<long> CountKeysAsync(string endpoint, Model.SlotRangeSet slots, CancellationToken cancellationToken);

    /// <summary>The repair of an open slot, decided by where its keys are now (<see cref="Migrations.OpenSlots.OpenSlotRepair.PlanAsync"/>).</summary>
    Task<Migrations.OpenSlots.OpenSlotRepair> PlanRepairAsync(Migrations.OpenSlots.OpenSlot slot, CancellationToken cancellationToken);
}
