using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ValkeyDashboard.Api;

/// <summary>Puts example bodies into the OpenAPI document, so a reader sees real requests and answers.</summary>
internal static class OpenApiExamples
{
    private const string TargetId = "e4d8622f676f2cad9e53a5bb8e362a58080f10c2";

    private static readonly string Request = $$"""{ "slots": "0-99,5000", "targetNodeId": "{{TargetId}}" }""";

    private static readonly string Migration = $$"""
        {
          "id": "01a2141bcbd67ad9970f9c89af5fc40d", "state": "running", "slots": "0-99,5000",
          "targetNodeId": "{{TargetId}}", "targetEndpoint": "127.0.0.1:7001",
          "jobs": [ { "sourceNodeId": "f00808e43d0cecd599d907fe6b23d78d6f0b6cdc", "sourceEndpoint": "127.0.0.1:7000", "slots": "0-99,5000",
                      "valkeyJobName": "9bd2db2f9003f3127f25967108da7a112d35a9e6", "valkeyState": "snapshotting", "state": "running",
                      "message": null, "keysMoved": 120, "bytesMoved": 18744 } ],
          "progress": 0.26, "keysMoved": 120, "bytesMoved": 18744,
          "estimate": { "keys": 462, "bytes": 219581, "targetUsedMemoryBytes": 8486808, "targetMaxMemoryBytes": 0, "warnings": [] },
          "createdAt": "2026-11-25T19:08:15.70Z", "startedAt": "2026-11-25T19:08:15.70Z", "finishedAt": null,
          "durationMilliseconds": 60, "requestedBy": "api", "error": null
        }
        """;

    private static readonly string Conflict = """
        { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.10", "title": "Migration conflict", "status": 409,
          "detail": "slots 55-60 are already moving in migration 01a2141bcbd67ad9970f9c89af5fc40d",
          "conflictingMigrationId": "01a2141bcbd67ad9970f9c89af5fc40d" }
        """;

    public static OpenApiOptions AddExamples(this OpenApiOptions options) => options.AddOperationTransformer((operation, context, _) =>
    {
        switch (operation.OperationId)
        {
            case "StartMigration":
                SetRequestExample(operation, Request);
                SetResponseExample(operation, "202", Migration);
                SetResponseExample(operation, "409", Conflict);
                break;
            case "PreflightMigration":
                SetRequestExample(operation, Request);
                break;
            case "GetMigration":
            case "CancelMigration":
                SetResponseExample(operation, "200", Migration);
                break;
        }

        return Task.CompletedTask;
    });

    private static void SetRequestExample(OpenApiOperation operation, string json)
    {
        if (operation.RequestBody?.Content is { } content && content.TryGetValue("application/json", out var media))
        {
            media.Example = JsonNode.Parse(json);
        }
    }

    private static void SetResponseExample(OpenApiOperation operation, string status, string json)
    {
        if (operation.Responses is { } responses && responses.TryGetValue(status, out var response) && response.Content is { } content)
        {
            foreach (var media in content.Values)
            {
                media.Example = JsonNode.Parse(json);
            }
        }
    }
}
