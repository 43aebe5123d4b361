using Microsoft.Extensions.Configuration;
using ValkeyDashboard.Cluster.Configuration;

namespace ValkeyDashboard.IntegrationTests.Clusters;

/// <summary>A <c>Valkey:Clusters</c> entry laid over the top-level <c>Valkey</c> section, and the checks of the list.</summary>
public class ClusterDefinitionsTests
{
    private static readonly Dictionary<string, string?> Shared = new()
    {
        ["Valkey:Mode"] = "External",
        ["Valkey:External:Endpoints:0"] = "10.0.0.1:6379",
        ["Valkey:External:Endpoints:1"] = "10.0.0.2:6379",
        ["Valkey:PollInterval"] = "00:00:02",
        ["Valkey:Password"] = "shared",
        ["Valkey:Clusters:0:Name"] = "eu",
        ["Valkey:Clusters:1:Name"] = "us",
        ["Valkey:Clusters:1:Endpoints:0"] = "10.1.0.1:6379",
        ["Valkey:Clusters:1:Password"] = "us-secret",
        ["Valkey:Clusters:1:Tls"] = "true",
        ["Valkey:Clusters:2:Name"] = "local",
        ["Valkey:Clusters:2:Mode"] = "Embedded",
        ["Valkey:Clusters:2:Embedded:BasePort"] = "7100",
    };

    [Fact]
    public void An_entry_replaces_the_shared_endpoints_and_keeps_what_it_does_not_give()
    {
        var us = Overlaid(Shared, 1);

        Assert.Equal(["10.1.0.1:6379"], us.External.Endpoints);
        Assert.Equal("us-secret", us.Password);
        Assert.True(us.Tls);
        Assert.Equal(ValkeyMode.External, us.Mode);
        Assert.Equal(TimeSpan.FromSeconds(2), us.PollInterval);
    }

    [Fact]
    public void An_entry_that_gives_no_endpoints_keeps_the_shared_ones_and_another_mode_takes_its_own_settings()
    {
        Assert.Equal(["10.0.0.1:6379", "10.0.0.2:6379"], Overlaid(Shared, 0).External.Endpoints);
        var local = Overlaid(Shared, 2);
        Assert.Equal(ValkeyMode.Embedded, local.Mode);
        Assert.Equal(7100, local.Embedded.BasePort);
        Assert.Equal("shared", local.Password);
    }

    [Fact]
    public void Without_a_list_the_top_level_section_is_the_one_cluster_named_default()
    {
        var settings = new Dictionary<string, string?> { ["Valkey:Mode"] = "External", ["Valkey:External:Endpoints:0"] = "10.0.0.1:6379" };

        Assert.Equal(["10.0.0.1:6379"], Overlaid(settings, 0).External.Endpoints);
        var list = Bind<ValkeyClusterListOptions>(settings);
        Assert.Equal(["default"], list.Names);
        Assert.Equal(ValkeyMode.External, list.ModeOf(0));
        Assert.Empty(ClusterDefinitions.Problems(list));
    }

    [Theory]
    [InlineData("Valkey:Clusters:1:Name", "eu", "Valkey:Clusters:1:Name (\"eu\") is already the name of Valkey:Clusters:0; names must be unique")]
    [InlineData("Valkey:Clusters:1:Name", "US", "Valkey:Clusters:1:Name (\"US\") must be 1 to 63 lower-case letters")]
    [InlineData("Valkey:Clusters:1:Name", "-us", "Valkey:Clusters:1:Name (\"-us\") must be 1 to 63")]
    [InlineData("Valkey:Clusters:0:Mode", "Embedded", "Valkey:Clusters:2 (\"local\") is Embedded, and so is Valkey:Clusters:0 (\"eu\"); at most one cluster may be Embedded")]
    [InlineData("Valkey:Clusters:1:Endpoints:0", null, "Valkey:Clusters:1 (\"us\") is External but gives no Endpoints")]
    public void A_wrong_list_is_refused_naming_the_entry(string key, string? value, string problem)
    {
        // null: the key is left out.
        var settings = new Dictionary<string, string?>(Shared) { [key] = value };
        if (value is null)
        {
            settings.Remove(key);
        }

        Assert.Contains(ClusterDefinitions.Problems(Bind<ValkeyClusterListOptions>(settings)), p => p.StartsWith(problem, StringComparison.Ordinal));
    }

    [Fact]
    public void The_example_list_is_accepted()
    {
        var list = Bind<ValkeyClusterListOptions>(Shared);

        Assert.Empty(ClusterDefinitions.Problems(list));
        Assert.Equal(["eu", "us", "local"], list.Names);
        Assert.Equal(ValkeyMode.Embedded, list.ModeOf(2));
        Assert.Equal(ValkeyMode.External, list.ModeOf(1));
    }

    private static ValkeyOptions Overlaid(Dictionary<string, string?> settings, int index)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var options = Bind<ValkeyOptions>(settings);
        ClusterDefinitions.Overlay(options, configuration, index);
        return options;
    }

    private static T Bind<T>(Dictionary<string, string?> settings)
        where T : new()
    {
        var options = new T();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection("Valkey").Bind(options);
        return options;
    }
}
