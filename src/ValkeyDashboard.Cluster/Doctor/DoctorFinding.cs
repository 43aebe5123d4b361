using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Doctor;

/// <summary>How much a finding matters. Values are part of the wire contract.</summary>
public enum DoctorSeverity
{
    /// <summary>The cluster loses or risks data or availability now.</summary>
    Error = 0,

    /// <summary>The cluster works, but one failure away from trouble, or something has stopped.</summary>
    Warning = 1,

    /// <summary>Worth knowing; may be intended (e.g. a test cluster on one host).</summary>
    Info = 2,
}

/// <summary>
/// Something the doctor found wrong or worth knowing. The id is stable for the same finding (kind, nodes, slots), so a
/// page, a script or a dry run followed by the real call all name the same one.
/// </summary>
/// <param name="Id">Stable id: <c>{kind}-{hash of kind, nodes and slots}</c>.</param>
/// <param name="Kind">What was found, e.g. <c>unassigned-slots</c> (see <see cref="DoctorKinds"/>).</param>
/// <param name="Severity">How much it matters.</param>
/// <param name="NodeIds">The nodes concerned.</param>
/// <param name="Slots">The slots concerned (empty when none).</param>
/// <param name="Message">What is wrong and what the operator can do, in a sentence or two.</param>
/// <param name="Fix">What the dashboard can do about it, when it can.</param>
public sealed record DoctorFinding(
    string Id,
    string Kind,
    DoctorSeverity Severity,
    ImmutableArray<string> NodeIds,
    SlotRangeSet Slots,
    string Message,
    DoctorFix? Fix)
{
    /// <summary>A finding whose id (and its fix's id, when it has one) derives from kind, nodes and slots.</summary>
    public static DoctorFinding Create(string kind, DoctorSeverity severity, IEnumerable<string> nodeIds, SlotRangeSet slots, string message, Func<string, DoctorFix?>? fix = null)
    {
        ImmutableArray<string> nodes = [.. nodeIds];
        var hash = StableHash(kind, nodes, slots);
        return new DoctorFinding($"{kind}-{hash}", kind, severity, nodes, slots, message, fix?.Invoke(hash));
    }

    /// <summary>The first 10 hex digits of SHA-256 over kind, the sorted node ids and the slots.</summary>
    internal static string StableHash(string kind, IEnumerable<string> nodeIds, SlotRangeSet slots)
    {
        var text = $"{kind}|{string.Join(',', nodeIds.Order(StringComparer.OrdinalIgnoreCase)).ToUpperInvariant()}|{slots}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..10];
    }
}

/// <summary>The kinds of finding, as the API names them.</summary>
public static class DoctorKinds
{
    public const string UnassignedSlots = "unassigned-slots";
    public const string SlotOwnerDisagreement = "slot-owner-disagreement";
    public const string FailedNode = "failed-node";
    public const string PrimaryWithoutReplica = "primary-without-replica";
    public const string ReplicaOnSameHost = "replica-on-same-host";
    public const string SlotStatsDisabled = "slot-stats-disabled";
    public const string MixedVersions = "mixed-versions";
    public const string StalledMigration = "stalled-migration";
    public const string OpenSlot = "open-slot";
}
