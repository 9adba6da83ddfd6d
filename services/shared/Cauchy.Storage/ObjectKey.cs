namespace Cauchy.Storage;

/// <summary>
/// The one rule for object keys, shared by both stores so that a key valid in one is valid in the other and a
/// key can never climb out of the local store's root.
/// </summary>
public static class ObjectKey
{
    /// <summary>Top-level folder of the local store that holds writes in progress; no key may live there.</summary>
    public const string ReservedTemporaryFolder = ".tmp";

    /// <summary>Folder of content-addressed objects: "sha256/&lt;64 lower-case hex digits&gt;".</summary>
    public const string ContentAddressedFolder = "sha256";

    public const int MaxLength = 1024;

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the key unless it is a relative '/'-separated path of
    /// non-empty segments, none of them "." or "..", without backslashes or control characters.
    /// </summary>
    public static void Validate(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var problem = Problem(key, allowTrailingSlash: false);
        if (problem is not null)
        {
            throw new ArgumentException($"Invalid object key '{key}': {problem}.", nameof(key));
        }
    }

    /// <summary>Like <see cref="Validate"/>, but "" and a trailing '/' are fine in a listing prefix.</summary>
    public static void ValidatePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0)
        {
            return;
        }
        var problem = Problem(prefix, allowTrailingSlash: true);
        if (problem is not null)
        {
            throw new ArgumentException($"Invalid object key prefix '{prefix}': {problem}.", nameof(prefix));
        }
    }

    /// <summary>The key under which <see cref="IObjectStore.PutContentAddressedAsync"/> stores content with this hash.</summary>
    public static string ForSha256(string sha256Hex) => $"{ContentAddressedFolder}/{sha256Hex}";

    /// <summary>The sha256 a content-addressed key names, or null for any other key.</summary>
    public static string? Sha256Of(string key)
    {
        var prefix = ContentAddressedFolder + "/";
        if (!key.StartsWith(prefix, StringComparison.Ordinal) || key.Length != prefix.Length + 64)
        {
            return null;
        }
        var hex = key[prefix.Length..];
        return hex.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f') ? hex : null;
    }

    private static string? Problem(string key, bool allowTrailingSlash)
    {
        if (key.Length == 0)
        {
            return "it is empty";
        }
        if (key.Length > MaxLength)
        {
            return $"it is longer than {MaxLength} characters";
        }
        if (key.Contains('\\'))
        {
            return "it contains a backslash";
        }
        if (key.Any(char.IsControl))
        {
            return "it contains a control character";
        }
        if (key.StartsWith('/') || (key.Length >= 2 && key[1] == ':'))
        {
            return "it is an absolute path";
        }
        var segments = key.Split('/');
        var count = allowTrailingSlash && key.EndsWith('/') ? segments.Length - 1 : segments.Length;
        for (var i = 0; i < count; i++)
        {
            switch (segments[i])
            {
                case "":
                    return "it has an empty path segment";
                case "." or "..":
                    return $"it has a '{segments[i]}' path segment";
            }
        }
        if (segments[0] == ReservedTemporaryFolder)
        {
            return $"'{ReservedTemporaryFolder}/' is reserved for writes in progress";
        }
        return null;
    }
}
