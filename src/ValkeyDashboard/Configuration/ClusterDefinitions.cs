using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Configuration;

namespace ValkeyDashboard;

/// <summary>
/// One entry of <c>Valkey:Clusters</c>: a cluster's name and the <c>Valkey</c> settings it gives itself. Every other key
/// of the entry (<c>User</c>, <c>Password</c>, <c>Tls</c>, <c>TlsCaFile</c>, <c>PollInterval</c>, <c>Embedded:BasePort</c>, …)
/// is a key of <see cref="ValkeyOptions"/> laid over the top-level <c>Valkey</c> section (see <see cref="ClusterDefinitions.Overlay"/>).
/// </summary>
public sealed class NamedClusterOptions
{
    /// <summary>The cluster's name in routes (<c>/api/clusters/{name}/…</c>) and token limits.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Embedded or External; the top-level <c>Valkey:Mode</c> when unset.</summary>
    public ValkeyMode? Mode { get; set; }

    /// <summary>Seeds of an External cluster (replace <c>Valkey:External:Endpoints</c> for this cluster).</summary>
    public List<string> Endpoints { get; set; } = [];

    /// <summary>The same seeds given as in the top-level section (<c>External:Endpoints</c>).</summary>
    public ExternalClusterOptions External { get; set; } = new();
}

/// <summary>The <c>Valkey:Clusters</c> list (and the top-level mode its entries default to).</summary>
public sealed class ValkeyClusterListOptions
{
    /// <summary>The one cluster's name when <see cref="Clusters"/> is empty.</summary>
    public const string DefaultName = "default";

    public ValkeyMode Mode { get; set; } = ValkeyMode.Embedded;

    public List<NamedClusterOptions> Clusters { get; set; } = [];

    /// <summary>Every cluster's name, the default (first) one first.</summary>
    public IReadOnlyList<string> Names => Clusters.Count == 0 ? [DefaultName] : [.. Clusters.Select(c => c.Name)];

    /// <summary>The mode of the cluster at <paramref name="index"/>.</summary>
    public ValkeyMode ModeOf(int index) => Clusters.Count == 0 ? Mode : Clusters[index].Mode ?? Mode;
}

/// <summary>Reading <c>Valkey:Clusters</c>: the checks at start and the overlay of an entry on the shared settings.</summary>
public static partial class ClusterDefinitions
{
    public const string SectionName = "Valkey:Clusters";

    /// <summary>Laid over <paramref name="options"/> (bound from the top-level <c>Valkey</c> section): the entry at
    /// <paramref name="index"/> of <c>Valkey:Clusters</c>, if there is one. Its endpoints replace the shared ones.</summary>
    public static void Overlay(ValkeyOptions options, IConfiguration configuration, int index)
    {
        var entry = configuration.GetSection($"{SectionName}:{index.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        if (!entry.Exists())
        {
            return;
        }

        foreach (var endpoints in new[] { entry.GetSection("Endpoints"), entry.GetSection("External:Endpoints") }.Where(s => s.Exists()))
        {
            // The binder appends to a list: an entry's endpoints are the cluster's, not more of the shared ones.
            options.External.Endpoints = endpoints.Get<List<string>>() ?? [];
        }

        var kept = options.External.Endpoints.ToList();
        entry.Bind(options);
        options.External.Endpoints = kept;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex NamePattern();

    /// <summary>Whether <paramref name="name"/> can name a cluster.</summary>
    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    /// <summary>What is wrong with the list, each naming the entry.</summary>
    public static IReadOnlyList<string> Problems(ValkeyClusterListOptions options)
    {
        var failures = new List<string>();
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        int? embedded = null;
        for (var i = 0; i < options.Clusters.Count; i++)
        {
            var cluster = options.Clusters[i];
            var where = $"{SectionName}:{i}";
            if (!IsValidName(cluster.Name))
            {
                failures.Add($"{where}:Name (\"{cluster.Name}\") must be 1 to 63 lower-case letters, digits or '-', starting with a letter or digit");
            }
            else if (!names.TryAdd(cluster.Name, i))
            {
                failures.Add($"{where}:Name (\"{cluster.Name}\") is already the name of {SectionName}:{names[cluster.Name]}; names must be unique");
            }

            var mode = options.ModeOf(i);
            if (mode == ValkeyMode.Embedded)
            {
                if (embedded is { } first)
                {
                    failures.Add($"{where} (\"{cluster.Name}\") is Embedded, and so is {SectionName}:{first} (\"{options.Clusters[first].Name}\"); at most one cluster may be Embedded (set Mode: External and its Endpoints)");
                }

                embedded ??= i;
            }
            else if (i > 0 && cluster.Endpoints.Count == 0 && cluster.External.Endpoints.Count == 0)
            {
                // The first cluster may take the top-level Valkey:External:Endpoints; another would be the same cluster again.
                failures.Add($"{where} (\"{cluster.Name}\") is External but gives no Endpoints; give at least one host:port of that cluster");
            }
        }

        return failures;
    }
}

/// <summary>Checks <c>Valkey:Clusters</c> at start-up.</summary>
internal sealed class ValkeyClusterListValidator : IValidateOptions<ValkeyClusterListOptions>
{
    public ValidateOptionsResult Validate(string? name, ValkeyClusterListOptions options) =>
        ClusterDefinitions.Problems(options) is { Count: > 0 } failures ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
}
