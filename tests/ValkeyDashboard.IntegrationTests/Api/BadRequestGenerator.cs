using System.Text.Json;

namespace ValkeyDashboard.IntegrationTests.Api;

/// <summary>
/// Makes malformed requests for every endpoint from a seeded random source: broken and wrongly typed JSON, huge and
/// unicode strings, impossible slots, unknown, replica and self targets, junk ids and queries, wrong methods and media types.
/// None of them may succeed (each is invalid by construction), so a success is itself a finding.
/// </summary>
public sealed class BadRequestGenerator(Random random, IReadOnlyList<string> primaryIds, string replicaId)
{
    private static readonly string[] BadSlots =
    [
        "-1", "16384", "5-", "9-3", "1,,2", "", " ", ",", "-", "0-", "-5", "1-2-3", "0x10", "1e3", "٣", "1 2", "0;1", "16383-16384",
        "99999999999999999999", "0-99999", "NaN", "null", "💥", "0-99,,", "a-b", "\u0000", "1,2,3,", "ⅷ", "5.5",
    ];

    private static readonly string[] Junk =
    [
        "", " ", "null", "true", "[]", "{}", "\"", "\\", "💥💥💥", "ЖЖЖ", "../../etc/passwd", "%00", "<script>alert(1)</script>", "' OR 1=1 --",
        "\u202e\u0000", "{{", "}}", new string('x', 10_000), new string('ᐅ', 3_000),
    ];

    /// <summary>Junk for URL paths: no NUL (the in-process test server refuses to build such a request; Kestrel answers it 400 itself).</summary>
    private static readonly string[] PathJunk = [.. Junk.Where(j => j.Trim().Length > 0 && !j.Contains('\0', StringComparison.Ordinal))];

    public GeneratedRequest Next() => random.Next(14) switch
    {
        13 => DoctorFix(),
        10 => new GeneratedRequest(HttpMethod.Post, $"/api/nodes/{Uri.EscapeDataString(Pick(PathJunk.Append(Hex(40)).Append(Hex(39)).ToArray()))}/{Pick(["stop", "start"])}", null, null),
        11 => Post("/api/nodes", NodeBody()),
        12 => new GeneratedRequest(HttpMethod.Get, $"/api/audit?{Pick(["page", "pageSize"])}={Uri.EscapeDataString(Pick(["0", "-1", "abc", "1.5", "99999999999", "%", "💥", " 1"]))}", null, null),
        0 or 1 or 2 => Post("/api/migrations", Body()),
        3 or 4 => Post("/api/migrations/preflight", Body()),
        5 => new GeneratedRequest(HttpMethod.Post, $"/api/migrations/{Uri.EscapeDataString(Pick(PathJunk.Append(Hex(40)).Append(Hex(32)).ToArray()))}/cancel", null, null),
        6 => new GeneratedRequest(HttpMethod.Get, $"/api/migrations/{Uri.EscapeDataString(Pick(PathJunk.Append(Hex(32)).ToArray()))}{Query("wait")}", null, null),
        7 => new GeneratedRequest(HttpMethod.Get, $"/api/migrations?{Pick(["page", "pageSize"])}={Uri.EscapeDataString(Pick(["0", "-1", "abc", "1.5", "99999999999", "%", "💥", " 1", "1e3", "0x10"]))}", null, null),
        8 => WrongMethod(),
        _ => WrongMediaType(),
    };

    /// <summary>A doctor fix that never was (junk or made-up ids), a dryRun that is no boolean, a blank primaryId.</summary>
    private GeneratedRequest DoctorFix()
    {
        var id = Uri.EscapeDataString(Pick(PathJunk.Append($"settle-open-slot-{Hex(10)}").Append($"forget-node-{Hex(10)}").Append(Hex(40)).ToArray()));
        var query = random.Next(4) switch
        {
            0 => string.Empty,
            1 => $"?dryRun={Uri.EscapeDataString(Pick(["", "yes", "1", "maybe", "💥", "true ", new string('t', 500)]))}",
            2 => $"?dryRun=true&primaryId={Uri.EscapeDataString(Pick([" ", "  ", "\t"]))}",
            _ => $"?dryRun={Pick(["true", "false"])}&primaryId={Pick(primaryIds)}",
        };
        return new GeneratedRequest(HttpMethod.Post, $"/api/doctor/fixes/{id}{query}", null, null);
    }

    private static GeneratedRequest Post(string path, string body) => new(HttpMethod.Post, path, body, "application/json");

    private string Body() => random.Next(12) switch
    {
        0 => Pick(Junk),
        1 => "{\"slots\": " + Pick(["5", "[\"0-9\"]", "{}", "true", "null", "1.5", "[[[[[]]]]]"]) + $", \"targetNodeId\": \"{Pick(primaryIds)}\"}}",
        2 => $"{{\"slots\": \"0-9\", \"targetNodeId\": {Pick(["5", "[]", "{\"nested\": [1, {\"x\": null}]}", "true", "1e999"])}}}",
        3 => $"{{\"slots\": \"{Escape(Pick(BadSlots))}\", \"targetNodeId\": \"{Pick(primaryIds)}\"}}",
        4 => $"{{\"slots\": \"0-16383\", \"targetNodeId\": \"{Pick(primaryIds)}\"}}",
        5 => $"{{\"slots\": \"0-99\", \"targetNodeId\": \"{Pick([replicaId, Hex(40), Hex(39), Hex(41), "ЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖ", "", new string('a', 5_000)])}\"}}",
        6 => $"{{\"slots\": \"0-99\"}}",
        7 => $"{{\"targetNodeId\": \"{Pick(primaryIds)}\"}}",
        8 => "{\"slots\": \"0-9\", \"targetNodeId\": \"" + Pick(primaryIds) + "\"",
        9 => new string('[', random.Next(1, 2_000)),
        10 => $"{{\"slots\": \"{string.Join(',', Enumerable.Range(0, random.Next(1, 3_000)).Select(_ => random.Next(-5, 20_000)))}\", \"targetNodeId\": \"{Hex(40)}\"}}",
        _ => $"{{\"slots\": \"{Escape(Pick(Junk))}\", \"targetNodeId\": \"{Escape(Pick(Junk))}\", \"extra\": {{\"deep\": [{string.Join(',', Enumerable.Repeat("{}", random.Next(50)))}]}}}}",
    };

    /// <summary>Bodies for adding a node that can never be carried out: a wrong role, or a replica of something that is not a primary.</summary>
    private string NodeBody() => random.Next(5) switch
    {
        0 => Pick(Junk),
        1 => $"{{\"role\": \"{Escape(Pick(["", "arbiter", "PRIMARY ", "replica\u0000", "💥", new string('r', 3_000)]))}\"}}",
        2 => $"{{\"role\": \"replica\", \"primaryId\": \"{Pick([replicaId, Hex(40), Hex(12), "", "ЖЖЖ"])}\"}}",
        3 => $"{{\"role\": {Pick(["5", "[]", "{}", "null", "true"])}}}",
        _ => "{\"role\": \"replica\", \"primaryId\": " + Pick(["5", "[\"x\"]", "{}"]) + "}",
    };

    private GeneratedRequest WrongMethod() => Pick(
    [
        new GeneratedRequest(HttpMethod.Delete, "/api/migrations", null, null),
        new GeneratedRequest(HttpMethod.Put, "/api/migrations", "{}", "application/json"),
        new GeneratedRequest(HttpMethod.Patch, "/api/cluster", "{}", "application/json"),
        new GeneratedRequest(HttpMethod.Post, "/api/cluster", "{}", "application/json"),
        new GeneratedRequest(HttpMethod.Post, "/api/slots", "{}", "application/json"),
        new GeneratedRequest(HttpMethod.Delete, $"/api/migrations/{Hex(32)}", null, null),
        new GeneratedRequest(HttpMethod.Get, $"/api/migrations/{Hex(32)}/cancel", null, null),
        new GeneratedRequest(HttpMethod.Get, $"/api/nodes/{Hex(40)}/stop", null, null),
        new GeneratedRequest(HttpMethod.Delete, "/api/nodes", null, null),
        new GeneratedRequest(HttpMethod.Post, "/api/audit", "{}", "application/json"),
        new GeneratedRequest(HttpMethod.Post, "/api/doctor", "{}", "application/json"),
        new GeneratedRequest(HttpMethod.Delete, "/api/doctor", null, null),
        new GeneratedRequest(HttpMethod.Get, $"/api/doctor/fixes/forget-node-{Hex(10)}", null, null),
        new GeneratedRequest(HttpMethod.Get, $"/api/{Uri.EscapeDataString(Pick(PathJunk))}", null, null),
    ]);

    private GeneratedRequest WrongMediaType() => new(
        HttpMethod.Post,
        Pick(["/api/migrations", "/api/migrations/preflight"]),
        $"{{\"slots\": \"0\", \"targetNodeId\": \"{Pick(primaryIds)}\"}}",
        Pick(["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data", null!]));

    private string Query(string name) => random.Next(3) == 0 ? string.Empty : $"?{name}={Uri.EscapeDataString(Pick(["0", "-1", "121", "abc", "1.5", "", "💥"]))}";

    private string Hex(int length) => string.Concat(Enumerable.Range(0, length).Select(_ => "0123456789abcdef"[random.Next(16)]));

    private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static string Escape(string text) => JsonEncodedText.Encode(text).ToString();
}
