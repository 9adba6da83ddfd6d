namespace Cauchy.Testing;

/// <summary>
/// Finds a program a test runs for real (Debian's prometheus, promtool, ...). A missing one fails the test with how
/// to install it; it is never a reason to pass.
/// </summary>
public static class InstalledTool
{
    /// <summary>The executable <paramref name="name"/> on PATH, else in /usr/bin.</summary>
    /// <param name="install">What to do when it is missing, appended to the error ("run `make deps` ...").</param>
    public static string Find(string name, string install)
    {
        string path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (string directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Append("/usr/bin"))
        {
            string candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"'{name}' was not found on PATH. {install}");
    }
}
