using Cauchy.Storage;
using Cauchy.Trainer.Worker;
using Cauchy.V1;

namespace Cauchy.Trainer.Execution;

/// <summary>What running a job needs from the process: the peers, the object store, the device and the settings.</summary>
public sealed record JobContext(
    Jobs.JobsClient Jobs,
    Datasets.DatasetsClient Datasets,
    Metrics.MetricsClient Metrics,
    Models.ModelsClient Models,
    IObjectStore Store,
    StorageOptions Storage,
    WorkerOptions Options,
    string WorkRoot,
    DeviceProbe Device,
    WorkerStatusBoard Board,
    ILogger Logger,
    TimeProvider Time);
