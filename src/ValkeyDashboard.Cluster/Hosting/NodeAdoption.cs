using System.Collections.Immutable;
using System.Globalization;

namespace ValkeyDashboard.Cluster.Hosting;

/// <summary>What <c>INFO server</c> says of the process that answered on a node's port (with the cluster's password).</summary>
public sealed record ServerIdentity(int ProcessId, int Port, string? ConfigFile, string Version);

/// <summary>What the embedded cluster finds of one of its nodes when it starts, before it touches anything.</summary>
public sealed record NodeObservation
{
    /// <summary>The pid in the node's <c>valkey.pid</c>, if the file is there.</summary>
    public int? PidFilePid { get; init; }

    /// <summary>That pid runs (and is not a zombie).</summary>
    public bool PidRunning { get; init; }

    /// <summary>That pid's process name (<c>valkey-server</c> for Valkey).</summary>
    public string? PidName { get; init; }

    /// <summary>The <c>valkey-server</c> the node was last started with, as recorded in its folder at that start.</summary>
    public string? StartedWith { get; init; }

    /// <summary>That pid's working folder.</summary>
    public string? PidWorkingDirectory { get; init; }

    /// <summary>Something listens on the node's port.</summary>
    public bool PortInUse { get; init; }

    /// <summary>Which process listens there, when it can be seen.</summary>
    public int? PortListener { get; init; }

    /// <summary><c>INFO server</c> of whatever answered on the port with the cluster's password.</summary>
    public ServerIdentity? Server { get; init; }

    /// <summary>Why asking the port failed (wrong password, not Valkey, no answer).</summary>
    public string? ServerError { get; init; }

    /// <summary><c>CLUSTER MYID</c> of what answered.</summary>
    public string? MyId { get; init; }

    /// <summary>The node's <c>valkey.conf</c> as it is on disk (what the process started with).</summary>
    public string? ConfigOnDisk { get; init; }
}

/// <summary>What a node of the layout must be to count as ours, and what it should run.</summary>
/// <param name="Port">Its client port.</param>
/// <param name="Directory">Its folder (a node of ours runs there).</param>
/// <param name="ConfigPath">Its <c>valkey.conf</c>.</param>
/// <param name="NodeId">Its cluster id as the layout records it (null when not recorded yet).</param>
/// <param name="Config">The <c>valkey.conf</c> the current settings produce.</param>
/// <param name="ServerPath">The configured <c>valkey-server</c>.</param>
/// <param name="ServerVersion">Its version.</param>
public sealed record NodeExpectation(int Port, string Directory, string ConfigPath, string? NodeId, string Config, string ServerPath, Version ServerVersion);

public enum AdoptionVerdict
{
    /// <summary>Nothing of ours runs and the port is free: start the node.</summary>
    Start = 0,

    /// <summary>Our node runs: keep it, do not touch it.</summary>
    Adopt = 1,

    /// <summary>Something that is not provably our node holds the port or the folder: leave it alone and do not start.</summary>
    Refuse = 2,
}

/// <param name="Verdict">Start, adopt or refuse.</param>
/// <param name="Reason">Why, in a sentence an operator can act on.</param>
/// <param name="ProcessId">The process adopted, or the stranger's pid when it could be seen.</param>
/// <param name="Drift">For an adopted node, how it differs from what is configured now (binary, configuration).</param>
public sealed record AdoptionDecision(AdoptionVerdict Verdict, string Reason, int? ProcessId, ImmutableArray<string> Drift);

/// <summary>
/// Decides, from what was observed, whether a node left running by an earlier run of the dashboard is ours to adopt.
/// It is only when every link holds: the pid file's process is a <c>valkey-server</c> working in the node's folder,
/// it is the process that answers on the node's port, it accepts the cluster's password, it was started with the node's
/// <c>valkey.conf</c>, and its cluster id is the one the layout records. Pure, so every case has a table test.
/// </summary>
public static class NodeAdoption
{
    public static AdoptionDecision Decide(NodeObservation seen, NodeExpectation expected)
    {
        var port = expected.Port.ToString(CultureInfo.InvariantCulture);
        var candidate = seen.PidFilePid is { } pid && seen.PidRunning &&
            seen.PidName == "valkey-server" &&
            string.Equals(seen.PidWorkingDirectory, expected.Directory, StringComparison.Ordinal)
                ? pid
                : (int?)null;

        if (candidate is null)
        {
            // No node of ours runs (the pid file is missing, stale, or names some other process).
            return seen.PortInUse
                ? Refuse($"port {port} is in use by {Stranger(seen.PortListener)}, which is not this node's valkey-server", seen.PortListener)
                : new AdoptionDecision(AdoptionVerdict.Start, $"no valkey-server of this node runs and port {port} is free", null, []);
        }

        var p = candidate.Value.ToString(CultureInfo.InvariantCulture);
        if (!seen.PortInUse)
        {
            return Refuse($"valkey-server pid {p} runs in the node's folder but does not listen on port {port} (still loading, or started by hand with other settings)", candidate);
        }

        if (seen.PortListener is { } listener && listener != candidate)
        {
            return Refuse($"port {port} is held by {Stranger(listener)}, while the node's pid file names pid {p}", listener);
        }

        if (seen.Server is not { } server)
        {
            return Refuse($"valkey-server pid {p} on port {port} does not answer with the cluster's password ({seen.ServerError ?? "no reply"})", candidate);
        }

        if (server.ProcessId != candidate || server.Port != expected.Port)
        {
            return Refuse($"the server answering on port {port} is pid {server.ProcessId.ToString(CultureInfo.InvariantCulture)} (port {server.Port.ToString(CultureInfo.InvariantCulture)}), not pid {p} of the node's pid file", server.ProcessId);
        }

        if (!string.Equals(server.ConfigFile, expected.ConfigPath, StringComparison.Ordinal))
        {
            return Refuse($"valkey-server pid {p} was started with {server.ConfigFile ?? "no config file"}, not the node's {expected.ConfigPath}", candidate);
        }

        if (expected.NodeId is { } id && !string.Equals(seen.MyId, id, StringComparison.Ordinal))
        {
            return Refuse($"valkey-server pid {p} on port {port} is cluster node {seen.MyId ?? "(unknown)"}, but the layout records {id}", candidate);
        }

        return new AdoptionDecision(AdoptionVerdict.Adopt, $"valkey-server pid {p} on port {port} is this node, running: adopted", candidate, Drift(seen, server, expected));
    }

    private static ImmutableArray<string> Drift(NodeObservation seen, ServerIdentity server, NodeExpectation expected)
    {
        var drift = ImmutableArray.CreateBuilder<string>();
        // The version is the server's own word; the path is what this node was started with (recorded at its start).
        var sameVersion = Version.TryParse(server.Version, out var running) && running == expected.ServerVersion;
        var samePath = seen.StartedWith is null || string.Equals(seen.StartedWith, expected.ServerPath, StringComparison.Ordinal);
        if (!sameVersion || !samePath)
        {
            var where = seen.StartedWith is null ? string.Empty : $" from {seen.StartedWith}";
            drift.Add($"runs Valkey {server.Version}{where}; the configured binaries are Valkey {expected.ServerVersion} from {expected.ServerPath}: a rolling restart upgrades it");
        }

        if (!string.Equals(seen.ConfigOnDisk, expected.Config, StringComparison.Ordinal))
        {
            drift.Add("runs with a valkey.conf written from other settings than the current ones: a rolling restart applies them");
        }

        return drift.ToImmutable();
    }

    private static string Stranger(int? pid) => pid is { } p ? $"pid {p.ToString(CultureInfo.InvariantCulture)}" : "a process this user cannot see";

    private static AdoptionDecision Refuse(string reason, int? pid) => new(AdoptionVerdict.Refuse, reason, pid, []);
}
