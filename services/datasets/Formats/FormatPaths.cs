using Cauchy.V1;

namespace Cauchy.Datasets.Formats;

/// <summary>Helpers the format readers share: split names, image extensions, archive-relative paths.</summary>
internal static class FormatPaths
{
    public static bool IsImage(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".png" or ".jpg" or ".jpeg";

    /// <summary>The split a folder or file name declares: train, val/validation, test; UNSPECIFIED otherwise.</summary>
    public static Split SplitFromName(string name) => name.ToLowerInvariant() switch
    {
        "train" or "training" => Split.Train,
        "val" or "valid" or "validation" => Split.Validation,
        "test" or "testing" => Split.Test,
        _ => Split.Unspecified,
    };

    /// <summary>
    /// Archives often wrap everything in one top folder ("mydata/train/cat/1.png"): when every file shares a single
    /// first segment that the layout does not expect, it is dropped.
    /// </summary>
    public static string CommonTopFolder(IReadOnlyList<string> files, Func<string, bool> isLayoutFolder)
    {
        if (files.Count == 0)
        {
            return "";
        }
        var first = files[0].Split('/')[0];
        if (isLayoutFolder(first) || files.Any(f => !f.StartsWith(first + "/", StringComparison.Ordinal)))
        {
            return "";
        }
        return first + "/";
    }

    public static string Full(string root, string relative) => Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar));
}
