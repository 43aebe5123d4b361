using System.Collections.Immutable;
using System.Globalization;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Doctor;

/// <summary>
/// One command a fix sends to one node: its exact text (what a dry run shows and the audit records) and how it is sent,
/// through the typed <see cref="ValkeyAdminClient"/> like every other command of the dashboard, so the two cannot differ.
/// </summary>
public abstract record DoctorCommand(string Endpoint)
{
    /// <summary>The command's words as sent, e.g. <c>CLUSTER FORGET &lt;id&gt;</c>.</summary>
    public abstract ImmutableArray<string> Arguments { get; }

    /// <summary><c>endpoint: COMMAND args…</c>.</summary>
    public string Text => $"{Endpoint}: {string.Join(' ', Arguments)}";

    public abstract Task SendAsync(ValkeyAdminClient valkey);

    public sealed override string ToString() => Text;
}

/// <summary><c>CLUSTER FORGET id</c>.</summary>
public sealed record ForgetNodeCommand(string Endpoint, string NodeId) : DoctorCommand(Endpoint)
{
    public override ImmutableArray<string> Arguments => ["CLUSTER", "FORGET", NodeId];

    public override Task SendAsync(ValkeyAdminClient valkey) => valkey.ClusterForgetAsync(Endpoint, NodeId);
}

/// <summary><c>CONFIG SET name value</c>.</summary>
public sealed record ConfigSetCommand(string Endpoint, string Name, string Value) : DoctorCommand(Endpoint)
{
    public override ImmutableArray<string> Arguments => ["CONFIG", "SET", Name, Value];

    public override Task SendAsync(ValkeyAdminClient valkey) => valkey.ConfigSetAsync(Endpoint, Name, Value);
}

/// <summary><c>CLUSTER ADDSLOTSRANGE start end</c>.</summary>
public sealed record AddSlotsRangeCommand(string Endpoint, SlotRange Range) : DoctorCommand(Endpoint)
{
    public override ImmutableArray<string> Arguments =>
        ["CLUSTER", "ADDSLOTSRANGE", Range.Start.ToString(CultureInfo.InvariantCulture), Range.End.ToString(CultureInfo.InvariantCulture)];

    public override Task SendAsync(ValkeyAdminClient valkey) => valkey.ClusterAddSlotsRangeAsync(Endpoint, Range);
}

/// <summary>
/// A command sent by a larger operation the step runs (<see cref="DoctorFixStep.Run"/>), shown exactly as that operation
/// sends it (e.g. the open-slot repair's <c>MIGRATE</c>, with its keys and password by placeholder); never sent on its own.
/// </summary>
public sealed record ListedCommand(string Endpoint, string Command) : DoctorCommand(Endpoint)
{
    public override ImmutableArray<string> Arguments => [Command];

    public override Task SendAsync(ValkeyAdminClient valkey) =>
        throw new InvalidOperationException($"{Text} is sent by the operation of its step, not on its own");
}
