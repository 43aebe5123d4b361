using System.ComponentModel;
using ValkeyDashboard.Cluster.Load;

namespace ValkeyDashboard.Api;

/// <summary>Body of <c>POST /api/load</c>; every value is optional (the <c>Dashboard:Load:Default*</c> settings).</summary>
public sealed record StartLoadBody(
    [property: Description("Keys to spread the load over (default 100000, at most Dashboard:Load:MaxKeys)")] int? Keys = null,
    [property: Description("Bytes per value written (default 100, at most Dashboard:Load:MaxValueBytes)")] int? ValueBytes = null,
    [property: Description("GETs and SETs per second, half each (default 5000, at most Dashboard:Load:MaxOpsPerSecond)")] int? OpsPerSecond = null,
    [property: Description("\"uniform\" (default), \"hot-slots\" (90% of the traffic on the keys of 8 slots) or \"hash-tags\" (every key in one of 16 slots)")] string? Skew = null,
    [property: Description("How long it runs before it stops by itself (default 300, at most Dashboard:Load:MaxDurationSeconds)")] int? DurationSeconds = null);

/// <summary>What a demo load does.</summary>
public sealed record LoadParametersResponse(int Keys, int ValueBytes, int OpsPerSecond, string Skew, int DurationSeconds)
{
    public static LoadParametersResponse From(DemoLoadParameters p) => new(p.Keys, p.ValueBytes, p.OpsPerSecond, p.SkewName, p.DurationSeconds);
}

/// <summary>The demo load now, or the last one that ran since the dashboard started.</summary>
public sealed record LoadResponse(
    bool Running,
    [property: Description("Whether a load may run on this cluster (false in External mode without Dashboard:Load:AllowExternal)")] bool Allowed,
    [property: Description("Why a load may not run here, when it may not")] string? NotAllowedReason,
    string? StartedBy,
    DateTimeOffset? StartedAt,
    DateTimeOffset? StoppedAt,
    [property: Description("Why it stopped: who stopped it, its duration ran out, the dashboard stopped")] string? StopReason,
    LoadParametersResponse? Parameters,
    [property: Description("Operations that succeeded")] long OpsDone,
    [property: Description("Operations that failed")] long Errors,
    [property: Description("Operations per second achieved since the start")] double RateAchieved,
    [property: Description("What a stop did")] string? Message = null) : ClusterMessage
{
    public static LoadResponse From(DemoLoadState state, string? notAllowedReason, string? message = null) => new(
        state.Running, notAllowedReason is null, notAllowedReason, state.StartedBy, state.StartedAt, state.StoppedAt, state.StopReason,
        state.Parameters is { } p ? LoadParametersResponse.From(p) : null, state.OpsDone, state.Errors, state.RateAchieved, message);
}
