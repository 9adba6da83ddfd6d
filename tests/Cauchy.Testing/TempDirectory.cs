namespace Cauchy.Testing;

public static class TempDirectory
{
    /// <summary>A new empty folder under the system's temporary folder, named <paramref name="prefix"/>-&lt;guid&gt;.</summary>
    public static string Create(string prefix)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Removes the folder and everything in it; a folder already gone is fine.</summary>
    public static void Delete(string path)
    {
        try
        {
            if (System.IO.Directory.Exists(path))
            {
                System.IO.Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: a file still held open by a process that is going away must not fail the test run.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
