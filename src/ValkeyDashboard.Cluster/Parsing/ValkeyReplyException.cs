using ValkeyDashboard.Cluster.Connections;

namespace ValkeyDashboard.Cluster.Parsing;

/// <summary>A reply from Valkey did not have the shape the dashboard expects.</summary>
public sealed class ValkeyReplyException : ValkeyException
{
    public ValkeyReplyException(string message)
        : base(message)
    {
    }

    public ValkeyReplyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ValkeyReplyException()
    {
    }
}
