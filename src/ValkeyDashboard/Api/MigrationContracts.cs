using System.ComponentModel;
using ValkeyDashboard.Cluster.Migrations;

namespace ValkeyDashboard.Api;

/// <summary>Body of <c>POST /api/migrations</c> and <c>POST /api/migrations/preflight</c>.</summary>
/// <param name="Slots">Slots and ranges to move, e.g. "0-99,5000".</param>
/// <param name="TargetNodeId">40-hex id of the primary that receives them.</param>
public sealed record StartMigrationBody(
    [property: Description("Slots and inclusive ranges to move, comma-separated, e.g. \"0-99,5000\"")] string? Slots,
    [property: Description("40-hex node id of the primary that receives the slots")] string? TargetNodeId);

/// <summary>One Valkey job of a migration: the slots of one source primary.</summary>
public sealed record MigrationJobResponse(
    string SourceNodeId,
    string SourceEndpoint,
    string Slots,
    string? ValkeyJobName,
    string? ValkeyState,
    MigrationState State,
    string? Message,
    long KeysMoved,
    long BytesMoved)
{
    public static MigrationJobResponse From(MigrationJob job) => new(
        job.SourceNodeId, job.SourceEndpoint, job.Slots.ToString(), job.ValkeyJobName, job.ValkeyState, job.State, job.Message, job.KeysMoved, job.BytesMoved);
}

/// <summary>A migration: what was asked, its Valkey jobs, progress and outcome.</summary>
public sealed record MigrationResponse(
    string Id,
    MigrationState State,
    [property: Description("Canonical slot ranges, e.g. \"0-99,5000\"")] string Slots,
    string TargetNodeId,
    string TargetEndpoint,
    IReadOnlyList<MigrationJobResponse> Jobs,
    [property: Description("0-1: keys that reached the target over keys to move")] double Progress,
    long KeysMoved,
    long BytesMoved,
    MigrationEstimate? Estimate,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    long? DurationMilliseconds,
    string RequestedBy,
    [property: Description("Why it failed or was cancelled, with Valkey's own message")] string? Error,
    [property: Description("The plan this migration is a move of, if a plan started it")] string? PlanId = null)
{
    public static MigrationResponse From(Migration m) => new(
        m.Id,
        m.State,
        m.Slots.ToString(),
        m.TargetNodeId,
        m.TargetEndpoint,
        [.. m.Jobs.Select(MigrationJobResponse.From)],
        Math.Round(m.Progress, 4),
        m.KeysMoved,
        m.BytesMoved,
        m.Estimate,
        m.CreatedAt,
        m.StartedAt,
        m.FinishedAt,
        m.Duration is { } d ? (long)d.TotalMilliseconds : null,
        m.RequestedBy,
        m.Error,
        m.PlanId);
}

/// <summary>One page of the migration history, newest first.</summary>
public sealed record MigrationPage(IReadOnlyList<MigrationResponse> Items, int Page, int PageSize, int Total);

/// <summary>What a migration would do: per source, the slots, keys and estimated bytes; and the warnings.</summary>
public sealed record PreflightResponse(string Slots, string TargetNodeId, string TargetEndpoint, IReadOnlyList<PreflightJob> Jobs, MigrationEstimate Estimate)
{
    public static PreflightResponse From(MigrationPlan plan) => new(
        plan.Slots.ToString(),
        plan.Target.Id,
        plan.Target.Endpoint,
        [.. plan.Jobs.Select(j => new PreflightJob(j.Source.Id, j.Source.Endpoint, j.Slots.ToString(), j.Keys, j.EstimatedBytes))],
        plan.Estimate);
}

public sealed record PreflightJob(string SourceNodeId, string SourceEndpoint, string Slots, long Keys, long EstimatedBytes);
