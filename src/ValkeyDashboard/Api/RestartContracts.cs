using System.ComponentModel;
using ValkeyDashboard.Cluster.Restarts;

namespace ValkeyDashboard.Api;

/// <summary>Body of <c>POST /api/nodes/restart</c>.</summary>
/// <param name="NodeIds">The nodes to restart; every node of the cluster when absent or empty.</param>
/// <param name="FailBack">After its restart, each former primary takes its shard back (default false: the replica that took over stays primary).</param>
/// <param name="Preview">Answer the steps it would take (200) instead of starting it.</param>
public sealed record RollingRestartBody(
    [property: Description("Node ids to restart; all nodes when absent or empty")] string[]? NodeIds,
    [property: Description("Each former primary takes its shard back after its restart")] bool? FailBack,
    [property: Description("Only answer the steps it would take; nothing restarts")] bool? Preview);

/// <summary>What restarting one node will do.</summary>
/// <param name="NodeId">The node.</param>
/// <param name="Endpoint">Its endpoint.</param>
/// <param name="Kind">replica (in place), failover (a primary hands its shard to FailoverTo first) or emptyPrimary (in place).</param>
/// <param name="FailoverToId">For a failover, the replica that takes over.</param>
/// <param name="FailoverToEndpoint">Its endpoint.</param>
/// <param name="Description">What will happen, in a sentence.</param>
public sealed record RestartPlanResponse(string NodeId, string Endpoint, RestartKind Kind, string? FailoverToId, string? FailoverToEndpoint, string Description)
{
    public static RestartPlanResponse From(RestartPlan plan) =>
        new(plan.NodeId, plan.Endpoint, plan.Kind, plan.FailoverToId, plan.FailoverToEndpoint, plan.Description);
}

/// <summary>One node of a rolling restart.</summary>
public sealed record RestartStepResponse(
    string NodeId,
    string Endpoint,
    [property: Description("primary or replica when the rolling restart was planned")] string Role,
    [property: Description("What its restart does, as planned")] string Plan,
    RestartStepState State,
    string? Message,
    int? ProcessIdBefore,
    int? ProcessIdAfter,
    string? VersionAfter,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt)
{
    public static RestartStepResponse From(RestartStep step) => new(
        step.NodeId, step.Endpoint, step.Role, step.Plan, step.State, step.Message, step.ProcessIdBefore, step.ProcessIdAfter, step.VersionAfter, step.StartedAt, step.FinishedAt);
}

/// <summary>A rolling restart: its nodes in order and where each stands.</summary>
public sealed record RollingRestartResponse(
    string Id,
    RollingRestartState State,
    [property: Description("Nodes restarted over nodes to restart, 0-1")] double Progress,
    IReadOnlyList<RestartStepResponse> Steps,
    bool FailBack,
    [property: Description("A pause was asked: it takes effect once the node being restarted is back")] bool PauseRequested,
    [property: Description("A cancel was asked: it takes effect once the node being restarted is back")] bool CancelRequested,
    string? Error,
    string RequestedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt) : ClusterMessage
{
    public static RollingRestartResponse From(RollingRestart r) => new(
        r.Id, r.State, Math.Round(r.Progress, 4), [.. r.Steps.Select(RestartStepResponse.From)], r.FailBack, r.PauseRequested, r.CancelRequested,
        r.Error, r.RequestedBy, r.CreatedAt, r.FinishedAt);
}

/// <summary>The steps a rolling restart would take (<c>"preview": true</c>).</summary>
public sealed record RollingRestartPreviewResponse(IReadOnlyList<RestartStepResponse> Steps);

/// <summary>A page of rolling restarts, newest first.</summary>
public sealed record RollingRestartPage(IReadOnlyList<RollingRestartResponse> Items, int Page, int PageSize, int Total);
