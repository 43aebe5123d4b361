using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Doctor.Checks;

/// <summary>
/// Nodes whose server has per-slot statistics (Valkey 8+) with <c>cluster-slot-stats-enabled no</c>: the heat map has no
/// CPU or network per slot, and plans cannot balance by them. Fix: <c>CONFIG SET cluster-slot-stats-enabled yes</c> on each.
/// </summary>
public sealed class SlotStatsDisabledCheck : IDoctorCheck
{
    public const string ConfigName = "cluster-slot-stats-enabled";

    public IEnumerable<DoctorFinding> Check(DoctorObservations observations)
    {
        var off = observations.Answered.Where(n => string.Equals(n.SlotStatsEnabled, "no", StringComparison.OrdinalIgnoreCase)).ToList();
        if (off.Count == 0)
        {
            yield break;
        }

        var endpoints = string.Join(", ", off.Select(n => n.Node.Endpoint));
        yield return DoctorFinding.Create(
            DoctorKinds.SlotStatsDisabled, DoctorSeverity.Info, off.Select(n => n.Node.Id), SlotRangeSet.Empty,
            $"Per-slot CPU and network statistics are off on {endpoints} ({ConfigName} no): the heat map cannot show them and plans cannot balance by them. " +
            "Turning them on costs little (about a microsecond per command).",
            hash => new FixedStepsFix(
                $"enable-slot-stats-{hash}",
                $"Turn per-slot statistics on at runtime on {endpoints} (CONFIG SET {ConfigName} yes; also put it in each node's configuration file to keep it after a restart)",
                [new DoctorFixStep($"{off.Count} node(s) turn slot statistics on", [.. off.Select(n => (DoctorCommand)new ConfigSetCommand(n.Node.Endpoint, ConfigName, "yes"))])]));
    }
}
