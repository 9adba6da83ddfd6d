using Cauchy.V1;
using Xunit;

namespace Cauchy.EndToEnd.Tests;

/// <summary>
/// One <see cref="Platform"/> for the collection, and one uninterrupted training run of the tests' job
/// (<see cref="Training.Hypes"/>) that several tests look at: Prometheus's view of it, its weights as the reference
/// a resumed run must reproduce, a finished job to send mistakes to. Whichever test needs it first starts it.
/// </summary>
public sealed class PlatformFixture : IAsyncLifetime
{
    private Lazy<Task<ReferenceRun>> _reference = null!;

    public Platform Platform { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Platform = await Platform.StartAsync();
        _reference = new Lazy<Task<ReferenceRun>>(RunReferenceAsync);
    }

    /// <summary>The uninterrupted run, started on first use.</summary>
    public Task<ReferenceRun> ReferenceRunAsync() => _reference.Value;

    public async Task DisposeAsync()
    {
        if (Platform is not null)
        {
            await Platform.DisposeAsync();
        }
    }

    private async Task<ReferenceRun> RunReferenceAsync()
    {
        DateTimeOffset submitted = DateTimeOffset.UtcNow;
        Job job = await Training.SubmitAsync(Platform, Training.Hypes(Platform, "e2e reference", "e2e-reference"));
        Job done = await Training.SucceededAsync(Platform, job.Id);
        byte[] weights = await Training.DownloadWeightsAsync(Platform, done.ResultModelVersion);
        return new ReferenceRun(done, submitted, DateTimeOffset.UtcNow, weights);
    }
}

/// <summary>A finished uninterrupted run: the job, when it was submitted and seen finished, its registered weights.</summary>
public sealed record ReferenceRun(Job Job, DateTimeOffset Submitted, DateTimeOffset Finished, byte[] Weights);

[CollectionDefinition(Name)]
public sealed class PlatformCollection : ICollectionFixture<PlatformFixture>
{
    public const string Name = "platform";
}
