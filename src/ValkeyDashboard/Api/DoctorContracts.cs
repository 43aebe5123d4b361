using System.ComponentModel;
using ValkeyDashboard.Cluster.Doctor;

namespace ValkeyDashboard.Api;

/// <summary>A fix the dashboard offers for a finding.</summary>
public sealed record DoctorFixSummary(
    [property: Description("Stable for the same finding: POST /api/doctor/fixes/{id} (with ?dryRun=true first)")] string Id,
    string Description);

/// <summary>One finding of the doctor.</summary>
public sealed record DoctorFindingResponse(
    [property: Description("Stable for the same finding (kind, nodes, slots)")] string Id,
    [property: Description("unassigned-slots, slot-owner-disagreement, failed-node, stalled-migration, primary-without-replica, mixed-versions, slot-stats-disabled or replica-on-same-host")] string Kind,
    DoctorSeverity Severity,
    IReadOnlyList<string> NodeIds,
    [property: Description("The slots concerned, e.g. \"0-99,5000\"; empty when none")] string Slots,
    [property: Description("What is wrong and what the operator can do")] string Message,
    DoctorFixSummary? Fix)
{
    public static DoctorFindingResponse From(DoctorFinding finding) => new(
        finding.Id, finding.Kind, finding.Severity, finding.NodeIds, finding.Slots.ToString(), finding.Message,
        finding.Fix is { } fix ? new DoctorFixSummary(fix.Id, fix.Description) : null);
}

/// <summary>What the doctor finds now.</summary>
public sealed record DoctorReportResponse(DateTimeOffset CheckedAt, IReadOnlyList<DoctorFindingResponse> Findings) : ClusterMessage
{
    public static DoctorReportResponse From(DoctorReport report) => new(report.CheckedAt, [.. report.Findings.Select(DoctorFindingResponse.From)]);
}

/// <summary>One step of a fix with its exact commands, each as <c>endpoint: COMMAND args…</c>.</summary>
public sealed record DoctorFixStepResponse(string Description, IReadOnlyList<string> Commands)
{
    public static DoctorFixStepResponse From(DoctorFixStep step) => new(step.Description, [.. step.Commands.Select(c => c.Text)]);
}

/// <summary>A fix as planned (dry run) or as sent, with the findings after it.</summary>
public sealed record DoctorFixResponse(
    string FixId,
    string FindingId,
    string Kind,
    string Description,
    [property: Description("Nothing was sent: these are the commands it would send")] bool DryRun,
    IReadOnlyList<DoctorFixStepResponse> Steps,
    [property: Description("The findings after the commands were sent; null for a dry run")] DoctorReportResponse? After) : ClusterMessage
{
    public static DoctorFixResponse From(DoctorFixOutcome outcome) => new(
        outcome.Fix.Id, outcome.Finding.Id, outcome.Finding.Kind, outcome.Fix.Description, outcome.DryRun,
        [.. outcome.Steps.Select(DoctorFixStepResponse.From)], outcome.After is { } after ? DoctorReportResponse.From(after) : null);
}
