namespace ValkeyDashboard.Security;

/// <summary>Who a client is, for its limits: its signed-in name, else its address (in-process requests have neither).</summary>
internal static class ClientIdentity
{
    public static string Of(HttpContext context) =>
        context.User.Identity?.Name ?? context.Connection.RemoteIpAddress?.ToString() ?? "local";
}
