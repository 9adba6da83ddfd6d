using Cauchy.Datasets.Data;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cauchy.Datasets.Import;

/// <summary>
/// At start-up, removes what a killed process left behind: the local work folder, and the objects of imports that
/// never committed and of deletions that never finished (the dataset store lists their prefixes). A partial version is
/// never visible (only a commit makes it so); this makes its leftovers disappear as well.
/// </summary>
public sealed class LeftoverSweeper(
    IDatasetStore datasetStore, DatasetImporter importer, IOptions<DatasetsOptions> datasetsOptions, TimeProvider time, ILogger<LeftoverSweeper> logger)
{
    private readonly DatasetsOptions _options = datasetsOptions.Value;

    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        var work = Path.GetFullPath(_options.WorkDirectory);
        if (Directory.Exists(work))
        {
            foreach (var entry in Directory.EnumerateDirectories(work, "import-*"))
            {
                if (Directory.GetLastWriteTimeUtc(entry) < time.GetUtcNow().UtcDateTime - _options.AbandonImportsAfter)
                {
                    Directory.Delete(entry, recursive: true);
                }
            }
        }
        var prefixes = await datasetStore.ListAbandonedPrefixesAsync(time.GetUtcNow().UtcDateTime - _options.AbandonImportsAfter, cancellationToken);
        foreach (var prefix in prefixes)
        {
            logger.LogInformation("Removing the leftovers of an unfinished import or deletion under {Prefix}", prefix);
            await importer.DeletePrefixAsync(prefix, cancellationToken);
        }
    }
}

/// <summary>Runs the <see cref="LeftoverSweeper"/> once when the service starts.</summary>
public sealed class LeftoverSweepService(LeftoverSweeper sweeper) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => sweeper.SweepAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
