using System.Text.Json;
using System.Text.Json.Serialization;

namespace ValkeyDashboard.Cluster.Hosting;

/// <summary>
/// What the embedded cluster is made of, stored as <c>cluster.json</c> in the data folder once the
/// cluster has been formed: the next start brings back the same nodes on the same ports, whatever the
/// configuration says now.
/// </summary>
public sealed record ClusterLayout(int Version, List<ClusterLayout.Node> Nodes)
{
    public const string FileName = "cluster.json";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>A node, the role it was created with (failovers can change the role later) and its cluster id once known.</summary>
    public sealed record Node(int Port, InitialRole Role, string? Id = null);

    public enum InitialRole
    {
        Primary = 0,
        Replica = 1,
    }

    public static ClusterLayout? Load(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ClusterLayout>(File.ReadAllText(path), JsonOptions)
                ?? throw new InvalidDataException("empty");
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException)
        {
            throw new InvalidDataException($"{path} is not a valid cluster layout ({ex.Message}). Delete the data folder to form a new cluster.", ex);
        }
    }

    public void Save(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, JsonOptions));
        File.Move(temp, path, overwrite: true);
    }
}
