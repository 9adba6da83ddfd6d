using Cauchy.Data;
using Cauchy.Metrics.Data;
using Cauchy.Metrics.Evaluations;

namespace Cauchy.Metrics.Extensions;

/// <summary>The metrics service's composition root: its database and the evaluation store.</summary>
public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<MetricsDbContext>("metrics");
        builder.Services.AddSingleton<IEvaluationStore, EfEvaluationStore>();
    }
}
