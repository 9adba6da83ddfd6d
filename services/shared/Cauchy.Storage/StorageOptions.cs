namespace Cauchy.Storage;

/// <summary>Configuration section "Storage": which store a service uses and how to reach it.</summary>
public sealed record StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>"local" (the embedded default) or "s3" (MinIO or any S3 server).</summary>
    public string Kind { get; init; } = "local";

    public LocalStoreOptions Local { get; init; } = new();

    public S3StoreOptions S3 { get; init; } = new();
}
