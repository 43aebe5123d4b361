namespace ValkeyDashboard.Components.Dialogs;

/// <summary>What <see cref="AddNodeDialog"/> answers: the node to let join, its role, and for a replica its primary.</summary>
public sealed record AddNodeRequest(string Endpoint, string Role, string? PrimaryId);
