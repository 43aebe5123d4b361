using System.ComponentModel;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Migrations.Impact;

namespace ValkeyDashboard.Api;

/// <summary>Body of <c>POST /api/migrations</c> and <c>POST /api/migrations/preflight</c>.</summary>
/// <param name="Slots">Slots and ranges to move, e.g. "0-99,5000".</param>
/// <param name="TargetNodeId">40-hex id of the primary that receives them.</param>
/// <param name="Engine"><c>auto</c> (default), <c>atomic</c> or <c>keys</c>.</param>
/// <param name="Replace">Key-by-key engine: overwrite keys the target already has.</param>
public sealed record StartMigrationBody(
    [property: Description("Slots and inclusive ranges to move, comma-separated, e.g. \"0-99,5000\"")] string? Slots,
    [property: Description("40-hex node id of the primary that receives the slots")] string? TargetNodeId,
    [property: Description("Which engine moves the slots: \"auto\" (default: atomic when every node involved has it, key-by-key otherwise), \"atomic\" or \"keys\"")] string? Engine = null,
    [property: Description("Key-by-key engine only: overwrite keys the target already has (MIGRATE REPLACE) instead of stopping at the first one")] bool? Replace = null);

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
    long BytesMoved,
    [property: Description("Key-by-key engine: the slots that have moved (null for the atomic engine)")] string? SlotsMoved = null,
    [property: Description("Key-by-key engine: the slots moving right now")] string? SlotsInFlight = null)
{
    public static MigrationJobResponse From(MigrationJob job) => new(
        job.SourceNodeId, job.SourceEndpoint, job.Slots.ToString(), job.ValkeyJobName, job.ValkeyState, job.State, job.Message, job.KeysMoved, job.BytesMoved,
        job.SlotsMoved?.ToString(), job.SlotsInFlight?.ToString());
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
    [property: Description("The plan this migration is a move of, if a plan started it")] string? PlanId = null,
    [property: Description("The engine that moves the slots: \"atomic\" or \"keys\"")] string Engine = MigrationEngineChoice.Atomic,
    [property: Description("What the migration cost clients, measured by the dashboard's probe while it ran (p50Ms, p99Ms, maxPauseMs: the longest write pause at hand-over, probes, errors; and per moving/elsewhere keys); null until it ends or when no probe ran")] MigrationImpact? Impact = null) : ClusterMessage
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
        m.PlanId,
        m.Engine,
        m.Impact);
}

/// <summary>One page of the migration history, newest first.</summary>
public sealed record MigrationPage(IReadOnlyList<MigrationResponse> Items, int Page, int PageSize, int Total);

/// <summary>What a migration would do: per source, the slots, keys and estimated bytes; the warnings; the engine and what clients will see.</summary>
public sealed record PreflightResponse(
    string Slots,
    string TargetNodeId,
    string TargetEndpoint,
    IReadOnlyList<PreflightJob> Jobs,
    MigrationEstimate Estimate,
    [property: Description("The engine that would move the slots: \"atomic\" or \"keys\"")] string Engine,
    [property: Description("What clients will see while the slots move (key-by-key: ASK redirections, TRYAGAIN, big keys blocking the source)")] IReadOnlyList<string> ClientEffects)
{
    public static PreflightResponse From(MigrationPlan plan) => new(
        plan.Slots.ToString(),
        plan.Target.Id,
        plan.Target.Endpoint,
        [.. plan.Jobs.Select(j => new PreflightJob(j.Source.Id, j.Source.Endpoint, j.Slots.ToString(), j.Keys, j.EstimatedBytes))],
        plan.Estimate,
        plan.Engine,
        plan.ClientEffects);
}

public sealed record PreflightJob(string SourceNodeId, string SourceEndpoint, string Slots, long Keys, long EstimatedBytes);
