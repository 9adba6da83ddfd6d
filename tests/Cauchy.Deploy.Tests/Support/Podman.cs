using Xunit;

namespace Cauchy.Deploy.Tests.Support;

/// <summary>
/// Podman as `make images` runs it: as root, with images/containers.conf. A machine without podman, or a user other
/// than root, skips the image tests with a reason (`make images` installs podman through scripts/deps.sh --images).
/// </summary>
public static class Podman
{
    public static string ContainersConf => Path.Combine(DeployTools.Root, "images", "containers.conf");

    public static string Require()
    {
        const string podman = "/usr/bin/podman";
        Skip.IfNot(File.Exists(podman), "podman is not installed; `make images` installs it (scripts/deps.sh --images)");
        Skip.IfNot(File.Exists("/usr/bin/mmdebstrap"), "mmdebstrap is not installed; `make images` installs it (scripts/deps.sh --images)");
        Skip.IfNot(Environment.UserName == "root", $"podman builds Cauchy's images as root here, and the tests run as {Environment.UserName}");
        return podman;
    }

    public static CommandResult Run(params IEnumerable<string> arguments) =>
        Command.Run(Require(), arguments, new Dictionary<string, string> { ["CONTAINERS_CONF"] = ContainersConf });
}
