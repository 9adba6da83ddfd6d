using Cauchy.Storage;

namespace Cauchy.Registry.Domain;

/// <summary>ObjectRef URIs for keys of the configured store: file:///&lt;path&gt; locally, s3://&lt;bucket&gt;/&lt;key&gt; on S3.</summary>
public sealed class ArtifactUris(StorageOptions options)
{
    private readonly bool _s3 = options.Kind.Trim().Equals("s3", StringComparison.OrdinalIgnoreCase);

    public string For(string key) => _s3
        ? $"s3://{options.S3.Bucket}/{key}"
        : new Uri(Path.GetFullPath(Path.Combine(options.Local.Root, key))).AbsoluteUri;

    /// <summary>The key of <paramref name="uri"/> if it names an object of this store, else null.</summary>
    public string? KeyOf(string uri)
    {
        if (_s3)
        {
            var prefix = $"s3://{options.S3.Bucket}/";
            return uri.StartsWith(prefix, StringComparison.Ordinal) ? uri[prefix.Length..] : null;
        }
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || !parsed.IsFile)
        {
            return null;
        }
        var root = Path.GetFullPath(options.Local.Root).TrimEnd('/') + "/";
        var path = Path.GetFullPath(parsed.LocalPath);
        return path.StartsWith(root, StringComparison.Ordinal) ? path[root.Length..] : null;
    }
}
