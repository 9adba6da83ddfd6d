using Cauchy.V1;

namespace Cauchy.Datasets.Shards;

/// <summary>Object-store keys of a version's objects, all under one import prefix.</summary>
public static class ShardKeys
{
    public static string SplitName(Split split) => split switch
    {
        Split.Train => "train",
        Split.Validation => "validation",
        Split.Test => "test",
        _ => "unspecified",
    };

    public static string Shard(string prefix, Split split, int index) => $"{prefix}{SplitName(split)}-{index:D5}.shard";

    public static string Index(string prefix, Split split, int index) => $"{prefix}{SplitName(split)}-{index:D5}.index";

    public static string Manifest(string prefix) => $"{prefix}manifest.pb";
}
