namespace Cauchy.Testing;

public static class RepositoryRoot
{
    /// <summary>The folder holding cauchy-k8s.sln, found by walking up from the test assembly.</summary>
    public static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "cauchy-k8s.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"No cauchy-k8s.sln above {AppContext.BaseDirectory}.");
    }
}
