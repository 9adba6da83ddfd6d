using Cauchy.Data;
using Cauchy.Metrics.Data;
using Cauchy.Metrics.Evaluations;

namespace Cauchy.Metrics;

public static class Extensions
{
    /// <summary>The metrics service's own parts: its database and the evaluation store.</summary>
    public static IHostApplicationBuilder AddMetricsServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<MetricsDbContext>("metrics");
        builder.Services.AddSingleton<IEvaluationStore, EfEvaluationStore>();
        return builder;
    }
}
