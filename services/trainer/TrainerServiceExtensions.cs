using Cauchy.ServiceDefaults.GrpcClient;
using Cauchy.Storage;
using Cauchy.Trainer.Execution;
using Cauchy.Trainer.Telemetry;
using Cauchy.Trainer.Worker;
using Cauchy.V1;
using Microsoft.Extensions.Options;

namespace Cauchy.Trainer;

public static class TrainerServiceExtensions
{
    /// <summary>The trainer's parts: its settings, the device, the peers' clients, the object store for checkpoints, the worker loop and its gauges.</summary>
    public static IHostApplicationBuilder AddTrainer(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(WorkerOptions.SectionName).Get<WorkerOptions>() ?? new WorkerOptions();
        options.Validate();
        if (options.WorkerId.Length == 0)
        {
            options = options with { WorkerId = $"{Environment.MachineName.ToLowerInvariant()}-{Environment.ProcessId}" };
        }

        string workRoot = options.WorkDir.Length > 0 ? options.WorkDir
            : builder.Configuration["Data:Root"] is { Length: > 0 } dataRoot ? Path.Combine(dataRoot, "trainer")
            : Path.Combine(Path.GetTempPath(), "cauchy-trainer", options.WorkerId);
        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(new DeviceProbe(options));
        builder.Services.AddSingleton(provider => new WorkerStatusBoard(options.WorkerId, provider.GetRequiredService<TimeProvider>()));
        builder.Services.AddObjectStore(builder.Configuration);
        builder.Services.AddGrpcServiceClient<Jobs.JobsClient>("Jobs");
        builder.Services.AddGrpcServiceClient<Datasets.DatasetsClient>("Datasets");
        builder.Services.AddGrpcServiceClient<Metrics.MetricsClient>("Metrics");
        builder.Services.AddGrpcServiceClient<Models.ModelsClient>("Registry");
        builder.Services.AddSingleton(provider => new JobContext(
            provider.GetRequiredService<Jobs.JobsClient>(),
            provider.GetRequiredService<Datasets.DatasetsClient>(),
            provider.GetRequiredService<Metrics.MetricsClient>(),
            provider.GetRequiredService<Models.ModelsClient>(),
            provider.GetRequiredService<IObjectStore>(),
            provider.GetRequiredService<StorageOptions>(),
            options,
            workRoot,
            provider.GetRequiredService<DeviceProbe>(),
            provider.GetRequiredService<WorkerStatusBoard>(),
            provider.GetRequiredService<ILoggerFactory>().CreateLogger("Cauchy.Trainer.Jobs"),
            provider.GetRequiredService<TimeProvider>()));
        builder.Services.AddHostedService<TrainingWorker>();
        builder.Services.AddSingleton<TrainerGauges>();
        return builder;
    }
}
