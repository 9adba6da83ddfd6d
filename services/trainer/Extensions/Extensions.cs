using Cauchy.ServiceDefaults.GrpcClient;
using Cauchy.Storage;
using Cauchy.Trainer.Execution;
using Cauchy.Trainer.Tasks;
using Cauchy.Trainer.Telemetry;
using Cauchy.Trainer.Worker;
using Cauchy.V1;
using Microsoft.Extensions.Options;

namespace Cauchy.Trainer.Extensions;

/// <summary>The trainer's composition root: its settings, the device, the peers' clients, the object store for checkpoints, the task components, the job pipeline, the worker loop and its gauges.</summary>
public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WorkerOptions>()
            .BindConfiguration(WorkerOptions.SectionName)
            .PostConfigure<IConfiguration>(static (options, configuration) =>
            {
                if (options.WorkerId.Length == 0)
                {
                    options.WorkerId = $"{Environment.MachineName.ToLowerInvariant()}-{Environment.ProcessId}";
                }

                if (options.WorkDir.Length == 0)
                {
                    options.WorkDir = configuration["Data:Root"] is { Length: > 0 } dataRoot
                        ? Path.Combine(dataRoot, "trainer")
                        : Path.Combine(Path.GetTempPath(), "cauchy-trainer", options.WorkerId);
                }
            })
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<WorkerOptions>, WorkerOptionsValidator>();

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DeviceProbe>();
        builder.Services.AddSingleton<WorkerStatusBoard>();
        builder.Services.AddObjectStore(builder.Configuration);
        builder.Services.AddGrpcServiceClient<Jobs.JobsClient>("Jobs");
        builder.Services.AddGrpcServiceClient<Datasets.DatasetsClient>("Datasets");
        builder.Services.AddGrpcServiceClient<Metrics.MetricsClient>("Metrics");
        builder.Services.AddGrpcServiceClient<Models.ModelsClient>("Registry");

        // The kinds of job this trainer trains, chosen by the spec's task_type; a new kind is one more line here.
        builder.Services.AddSingleton<ITrainingTask, ClassificationTask>();
        builder.Services.AddSingleton<TrainingTasks>();

        builder.Services.AddSingleton<CheckpointStore>();
        builder.Services.AddSingleton<DataPreparation>();
        builder.Services.AddSingleton<Evaluator>();
        builder.Services.AddSingleton<TrainingLoop>();
        builder.Services.AddSingleton<TrainingEventConsumer>();
        builder.Services.AddSingleton<Registration>();
        builder.Services.AddSingleton<LeaseEnding>();
        builder.Services.AddSingleton<JobRun>();
        builder.Services.AddHostedService<TrainingWorker>();
        builder.Services.AddSingleton<TrainerGauges>();
    }
}
