namespace ValkeyDashboard.Cluster.Audit;

/// <summary>What came of a change someone asked for. Values are part of the wire contract.</summary>
public enum AuditOutcome
{
    /// <summary>Done or started as asked.</summary>
    Accepted = 0,

    /// <summary>Refused before anything changed (invalid, conflicting, not allowed); the detail says why.</summary>
    Refused = 1,

    /// <summary>Tried and failed; the detail has the error.</summary>
    Failed = 2,
}

/// <summary>One change someone asked for: who, what, on what, when, and what came of it.</summary>
/// <param name="Id">Increasing with time.</param>
/// <param name="At">When it was asked.</param>
/// <param name="Actor">Who asked (<c>ui</c>, <c>api</c>, <c>browser</c>, a token's name).</param>
/// <param name="Action">What, one of <see cref="AuditActions"/>.</param>
/// <param name="Subject">On what, e.g. <c>0-99 → 127.0.0.1:7001</c> or a migration id.</param>
/// <param name="Outcome">What came of it.</param>
/// <param name="Detail">The migration it started, or why it was refused or failed.</param>
public sealed record AuditEntry(long Id, DateTimeOffset At, string Actor, string Action, string Subject, AuditOutcome Outcome, string? Detail);

/// <summary>The actions the audit log records; their text is what <c>GET /api/audit</c> shows.</summary>
public static class AuditActions
{
    public const string MigrationStart = "migration.start";
    public const string MigrationCancel = "migration.cancel";
    public const string NodeStop = "node.stop";
    public const string NodeStart = "node.start";
    public const string NodeAdd = "node.add";
    public const string NodeRemove = "node.remove";
    public const string NodeRestart = "node.restart";
    public const string RollingRestartStart = "rolling-restart.start";
    public const string RollingRestartPause = "rolling-restart.pause";
    public const string RollingRestartResume = "rolling-restart.resume";
    public const string RollingRestartCancel = "rolling-restart.cancel";
    public const string PlanStart = "plan.start";
    public const string PlanPause = "plan.pause";
    public const string PlanResume = "plan.resume";
    public const string PlanCancel = "plan.cancel";
    public const string DoctorFix = "doctor.fix";
    public const string LoadStart = "load.start";
    public const string LoadStop = "load.stop";
    public const string SignIn = "sign-in";
    public const string SignOut = "sign-out";
}
