using ValkeyDashboard.IntegrationTests.Infrastructure;

namespace ValkeyDashboard.IntegrationTests.Container;

/// <summary>What the image and the compose file promise that the replay (<see cref="ContainerImageTests"/>) cannot run: read from the files.</summary>
public class DockerFilesTests
{
    private static readonly string Folder = Path.Combine(TestDirectories.RepositoryRoot(), "docker");

    private static Dockerfile Image => Dockerfile.Parse(File.ReadAllText(Path.Combine(Folder, "Dockerfile")));

    [Fact]
    public void The_compose_file_mounts_a_named_volume_on_the_images_data_folder()
    {
        var volume = Assert.Single(Image.Runtime.All("VOLUME")).Arguments;
        var dataDirectory = Image.Runtime.All("ENV").SelectMany(e => e.EnvironmentVariables()).Single(v => v.Key == "Dashboard__DataDirectory").Value;
        var compose = File.ReadAllText(Path.Combine(Folder, "compose.yaml"));

        Assert.Equal(volume, dataDirectory);
        Assert.Contains($"volumes: [\"dashboard-data:{volume}\"]", compose, StringComparison.Ordinal);
        Assert.Contains("\n  dashboard-data:", compose, StringComparison.Ordinal);
    }

    [Fact]
    public void The_image_runs_as_a_non_root_user_and_has_no_health_check_it_could_not_run()
    {
        var user = Assert.Single(Image.Runtime.All("USER")).Arguments;

        Assert.False(user is "root" or "0" or "0:0", $"USER {user} is root");
        // The aspnet image has no shell tool to make a request with: a HEALTHCHECK could only ever fail.
        Assert.Empty(Image.Runtime.All("HEALTHCHECK"));
    }

    [Fact]
    public void The_compose_file_says_sign_in_is_on_and_where_the_link_and_the_probe_are()
    {
        var compose = File.ReadAllText(Path.Combine(Folder, "compose.yaml"));

        Assert.DoesNotContain("no authentication", compose, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("docker compose -f docker/compose.yaml logs dashboard", compose, StringComparison.Ordinal);
        Assert.Contains("Dashboard__Auth__Tokens__0__Token", compose, StringComparison.Ordinal);
        Assert.Contains("/health", compose, StringComparison.Ordinal);
    }
}
