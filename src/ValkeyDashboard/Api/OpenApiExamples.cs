using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ValkeyDashboard.Api;

/// <summary>Puts example bodies into the OpenAPI document, so a reader sees real requests and answers.</summary>
internal static class OpenApiExamples
{
    private const string TargetId = "e4d8622f676f2cad9e53a5bb8e362a58080f10c2";

    private static readonly string Request = $$"""{ "slots": "0-99,5000", "targetNodeId": "{{TargetId}}", "engine": "auto" }""";

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
          "durationMilliseconds": 60, "requestedBy": "api", "error": null, "planId": null, "engine": "atomic"
        }
        """;

    private static readonly string KeyByKeyMigration = $$"""
        {
          "id": "01a2141c5e0b7d43a2c6b1e0f4a9d8c2", "state": "running", "slots": "100-299",
          "targetNodeId": "{{TargetId}}", "targetEndpoint": "127.0.0.1:7001",
          "jobs": [ { "sourceNodeId": "f00808e43d0cecd599d907fe6b23d78d6f0b6cdc", "sourceEndpoint": "127.0.0.1:7000", "slots": "100-299",
                      "valkeyJobName": null, "valkeyState": null, "state": "running", "message": null, "keysMoved": 7680, "bytesMoved": 0,
                      "slotsMoved": "100-163", "slotsInFlight": "164-167" } ],
          "progress": 0.32, "keysMoved": 7680, "bytesMoved": 0,
          "estimate": { "keys": 24000, "bytes": 2880000, "targetUsedMemoryBytes": 8486808, "targetMaxMemoryBytes": 0, "warnings": [] },
          "createdAt": "2026-11-30T12:08:15.70Z", "startedAt": "2026-11-30T12:08:15.70Z", "finishedAt": null,
          "durationMilliseconds": 410, "requestedBy": "api", "error": null, "planId": null, "engine": "keys"
        }
        """;

    private static readonly string FinishedPage = $$"""
        {
          "items": [ {
            "id": "01a2141bcbd67ad9970f9c89af5fc40d", "state": "succeeded", "slots": "0-99,5000",
            "targetNodeId": "{{TargetId}}", "targetEndpoint": "127.0.0.1:7001",
            "jobs": [ { "sourceNodeId": "f00808e43d0cecd599d907fe6b23d78d6f0b6cdc", "sourceEndpoint": "127.0.0.1:7000", "slots": "0-99,5000",
                        "valkeyJobName": "9bd2db2f9003f3127f25967108da7a112d35a9e6", "valkeyState": "success", "state": "succeeded",
                        "message": null, "keysMoved": 462, "bytesMoved": 72110 } ],
            "progress": 1, "keysMoved": 462, "bytesMoved": 72110,
            "estimate": { "keys": 462, "bytes": 219581, "targetUsedMemoryBytes": 8486808, "targetMaxMemoryBytes": 0, "warnings": [] },
            "createdAt": "2026-11-25T19:08:15.70Z", "startedAt": "2026-11-25T19:08:15.70Z", "finishedAt": "2026-11-25T19:08:16.24Z",
            "durationMilliseconds": 540, "requestedBy": "api", "error": null, "planId": null, "engine": "atomic",
            "impact": { "p50Ms": 0.21, "p99Ms": 3.8, "maxPauseMs": 4.6, "probes": 26, "errors": 0,
                        "moving": { "p50Ms": 0.24, "p99Ms": 4.6, "probes": 14 }, "elsewhere": { "p50Ms": 0.19, "p99Ms": 0.41, "probes": 12 } }
          } ],
          "page": 1, "pageSize": 20, "total": 1
        }
        """;

    private static readonly string LoadRequest = """{ "keys": 100000, "valueBytes": 100, "opsPerSecond": 5000, "skew": "hot-slots", "durationSeconds": 300 }""";

    private static readonly string LoadRunning = """
        {
          "running": true, "allowed": true, "notAllowedReason": null, "startedBy": "ops", "startedAt": "2026-11-30T12:00:00Z",
          "stoppedAt": null, "stopReason": null,
          "parameters": { "keys": 100000, "valueBytes": 100, "opsPerSecond": 5000, "skew": "hot-slots", "durationSeconds": 300 },
          "opsDone": 148920, "errors": 0, "rateAchieved": 4997.3, "message": null
        }
        """;

    private static readonly string LoadStopped = """
        {
          "running": false, "allowed": true, "notAllowedReason": null, "startedBy": "ops", "startedAt": "2026-11-30T12:00:00Z",
          "stoppedAt": "2026-11-30T12:01:00Z", "stopReason": "stopped by ops",
          "parameters": { "keys": 100000, "valueBytes": 100, "opsPerSecond": 5000, "skew": "hot-slots", "durationSeconds": 300 },
          "opsDone": 299810, "errors": 0, "rateAchieved": 4996.8,
          "message": "stopped the demo load started by ops at 2026-11-30 12:00:00Z: 299810 operations, 0 errors; its demo: keys stay"
        }
        """;

    private static readonly string LoadConflict = """
        { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.10", "title": "Demo load conflict", "status": 409,
          "detail": "a demo load started by ops at 2026-11-30 12:00:00Z is running (hot-slots, 5000 ops/s over 100000 keys of 100 B for 300 s); stop it first (DELETE /api/load)" }
        """;

    private static readonly string Conflict = """
        { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.10", "title": "Migration conflict", "status": 409,
          "detail": "slots 55-60 are already moving in migration 01a2141bcbd67ad9970f9c89af5fc40d",
          "conflictingMigrationId": "01a2141bcbd67ad9970f9c89af5fc40d" }
        """;

    private static readonly string Cluster = $$"""
        {
          "state": "ok", "slotsAssigned": 16384, "timestamp": "2026-11-25T19:08:15.70Z", "error": null,
          "nodes": [ { "id": "f00808e43d0cecd599d907fe6b23d78d6f0b6cdc", "endpoint": "127.0.0.1:7000", "role": "primary", "primaryId": null,
                       "health": "online", "version": "7.0.15", "slots": [ [0, 5460] ], "keys": 1200, "usedMemoryBytes": 2453016,
                       "opsPerSecond": 35, "error": null, "product": "redis", "capabilities": [ "cluster-shards", "key-migration" ], "process": null },
                     { "id": "{{TargetId}}", "endpoint": "127.0.0.1:7001", "role": "primary", "primaryId": null,
                       "health": "online", "version": "9.1.2", "slots": [ [5461, 16383] ], "keys": 2411, "usedMemoryBytes": 2602944,
                       "opsPerSecond": 61, "error": null, "product": "valkey",
                       "capabilities": [ "cluster-shards", "slot-stats", "slot-stats-load", "atomic-slot-migration", "key-migration" ], "process": null } ]
        }
        """;

    private static readonly string DoctorFindings = """
        {
          "checkedAt": "2026-11-30T12:00:00Z",
          "findings": [
            { "id": "unassigned-slots-3f2a9c1b07", "kind": "unassigned-slots", "severity": "error", "nodeIds": [], "slots": "0-15",
              "message": "16 slot(s) (0-15) are served by no primary: keys in them can be neither read nor written, and the cluster reports fail while cluster-require-full-coverage is yes. Assign them to a primary.",
              "fix": { "id": "assign-slots-3f2a9c1b07", "description": "Assign slots 0-15 to a primary (the one asked for, else the one with the fewest slots) with CLUSTER ADDSLOTSRANGE, after checking no other node holds keys in them" } },
            { "id": "replica-on-same-host-8d04e1aa52", "kind": "replica-on-same-host", "severity": "info",
              "nodeIds": ["f00808e43d0cecd599d907fe6b23d78d6f0b6cdc", "5b7d0c2b9e0e41f4a43a1c39d0f3e0a4b5d6c7e8"], "slots": "",
              "message": "127.0.0.1:7000 and its replica(s) 127.0.0.1:7003 run on the same host 127.0.0.1: losing that host loses the shard. Fine for a test cluster; in production put a primary and its replicas on different hosts.",
              "fix": null }
          ]
        }
        """;

    private static readonly string DoctorDryRun = """
        {
          "fixId": "assign-slots-3f2a9c1b07", "findingId": "unassigned-slots-3f2a9c1b07", "kind": "unassigned-slots",
          "description": "Assign slots 0-15 to a primary (the one asked for, else the one with the fewest slots) with CLUSTER ADDSLOTSRANGE, after checking no other node holds keys in them",
          "dryRun": true,
          "steps": [ { "description": "127.0.0.1:7000 takes slots 0-15", "commands": [ "127.0.0.1:7000: CLUSTER ADDSLOTSRANGE 0 15" ] } ],
          "after": null
        }
        """;

    private static readonly string DoctorGone = """
        { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.10", "title": "Doctor fix conflict", "status": 409,
          "detail": "the finding of fix assign-slots-3f2a9c1b07 is gone: the cluster no longer shows it (fixed already, or changed since). GET /api/doctor lists what it finds now." }
        """;

    private static readonly string SlotHistory = """
        {
          "metric": "cpu", "unit": "µs/s", "from": "2026-11-30T12:00:00Z", "to": "2026-11-30T12:00:20Z", "tier": 0, "intervalSeconds": 10,
          "points": [
            { "at": "2026-11-30T12:00:00.412Z",
              "owners": [ { "index": 0, "id": "f00808e43d0cecd599d907fe6b23d78d6f0b6cdc", "endpoint": "127.0.0.1:7000" },
                          { "index": 1, "id": "e4d8622f676f2cad9e53a5bb8e362a58080f10c2", "endpoint": "127.0.0.1:7001" } ],
              "layer": { "scale": 1024, "values": "AAAAZmZmAAAA…(21,848 base64 characters: 16,384 bytes)" } },
            { "at": "2026-11-30T12:00:10.409Z",
              "owners": [ { "index": 0, "id": "f00808e43d0cecd599d907fe6b23d78d6f0b6cdc", "endpoint": "127.0.0.1:7000" },
                          { "index": 1, "id": "e4d8622f676f2cad9e53a5bb8e362a58080f10c2", "endpoint": "127.0.0.1:7001" } ],
              "layer": { "scale": 1024, "values": "AAAAZGdmAAAA…" } }
          ]
        }
        """;

    private static readonly string HotSlots = """
        {
          "metric": "cpu", "unit": "µs/s", "window": "10m", "from": "2026-11-30T11:50:00Z", "to": "2026-11-30T12:00:00Z",
          "slots": [
            { "slot": 5474, "value": 1830.5, "ownerId": "e4d8622f676f2cad9e53a5bb8e362a58080f10c2", "ownerEndpoint": "127.0.0.1:7001", "share": 0.41, "trend": 0.25 },
            { "slot": 12, "value": 702.2, "ownerId": "f00808e43d0cecd599d907fe6b23d78d6f0b6cdc", "ownerEndpoint": "127.0.0.1:7000", "share": 0.18, "trend": null }
          ]
        }
        """;

    private static readonly string BadHistoryQuery = """
        { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "Invalid query", "status": 400,
          "detail": "metric must be one of owner, keys, cpu, networkIn, networkOut, got \"memory\"" }
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
            case "GetCluster":
                SetResponseExample(operation, "200", Cluster);
                break;
            case "PreflightMigration":
                SetRequestExample(operation, Request);
                break;
            case "GetDoctorFindings":
                SetResponseExample(operation, "200", DoctorFindings);
                break;
            case "RunDoctorFix":
                SetResponseExample(operation, "200", DoctorDryRun);
                SetResponseExample(operation, "409", DoctorGone);
                break;
            case "GetMigration":
                SetResponseExample(operation, "200", KeyByKeyMigration);
                break;
            case "GetSlotHistory":
                SetResponseExample(operation, "200", SlotHistory);
                SetResponseExample(operation, "400", BadHistoryQuery);
                break;
            case "GetHotSlots":
                SetResponseExample(operation, "200", HotSlots);
                break;
            case "CancelMigration":
                SetResponseExample(operation, "200", Migration);
                break;
            case "ListMigrations":
                SetResponseExample(operation, "200", FinishedPage);
                break;
            case "StartLoad":
                SetRequestExample(operation, LoadRequest);
                SetResponseExample(operation, "202", LoadRunning);
                SetResponseExample(operation, "409", LoadConflict);
                break;
            case "GetLoad":
                SetResponseExample(operation, "200", LoadRunning);
                break;
            case "StopLoad":
                SetResponseExample(operation, "200", LoadStopped);
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
