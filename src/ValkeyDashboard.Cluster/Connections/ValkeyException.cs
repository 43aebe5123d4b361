namespace ValkeyDashboard.Cluster.Connections;

/// <summary>
/// A command to a node did not give the dashboard what it asked for. <see cref="ValkeyAdminClient"/> translates every
/// client library failure into one of these, so features decide on what happened, not on how a library reports it:
/// <see cref="ValkeyUnreachableException"/> (the node did not answer), <see cref="ValkeyErrorException"/> (Valkey
/// answered with an error, in its own words) or <see cref="Parsing.ValkeyReplyException"/> (an answer of an unexpected shape).
/// </summary>
public abstract class ValkeyException : Exception
{
    protected ValkeyException()
    {
    }

    protected ValkeyException(string message)
        : base(message)
    {
    }

    protected ValkeyException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The node the command went to, when known.</summary>
    public string? Endpoint { get; init; }

    /// <summary>The command, e.g. <c>CLUSTER MIGRATESLOTS</c> (never its arguments: they may hold secrets).</summary>
    public string? Command { get; init; }
}

/// <summary>The node did not answer: connection refused or lost, or no answer within <c>Valkey:CommandTimeout</c>.</summary>
public sealed class ValkeyUnreachableException : ValkeyException
{
    public ValkeyUnreachableException()
    {
    }

    public ValkeyUnreachableException(string message)
        : base(message)
    {
    }

    public ValkeyUnreachableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Valkey answered the command with an error; <see cref="Exception.Message"/> is Valkey's own text.</summary>
public sealed class ValkeyErrorException : ValkeyException
{
    public ValkeyErrorException()
    {
    }

    public ValkeyErrorException(string message)
        : base(message)
    {
    }

    public ValkeyErrorException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Valkey's error text, e.g. <c>ERR Slots are not served by this node.</c></summary>
    public string ValkeyError => Message;

    /// <summary>The node is loading its data set (<c>LOADING</c>): it is up but cannot answer yet.</summary>
    public bool IsLoading => Message.StartsWith("LOADING", StringComparison.Ordinal);

    /// <summary>True when the error text contains <paramref name="text"/> (case-insensitive).</summary>
    public bool Says(string text) => Message.Contains(text, StringComparison.OrdinalIgnoreCase);
}
