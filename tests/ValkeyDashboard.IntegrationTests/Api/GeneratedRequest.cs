namespace ValkeyDashboard.IntegrationTests.Api;

/// <summary>One generated request.</summary>
public sealed record GeneratedRequest(HttpMethod Method, string Path, string? Body, string? ContentType)
{
    public override string ToString() =>
        $"{Method} {(Path.Length > 120 ? Path[..120] + "…" : Path)}{(Body is null ? string.Empty : $" [{ContentType}] {(Body.Length > 160 ? Body[..160] + "…" : Body)}")}";
}
