using Cauchy.Data;
using Cauchy.Metrics.Data;
using Cauchy.Metrics.Evaluations;
using Microsoft.Extensions.Options;

namespace Cauchy.Metrics.Extensions;

/// <summary>The metrics service's composition root: its database, the evaluation store and the limits on one evaluation.</summary>
public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<MetricsDbContext>("metrics");
        builder.Services.AddSingleton<IEvaluationStore, EfEvaluationStore>();
        builder.Services.AddOptions<EvaluationLimits>().BindConfiguration(EvaluationLimits.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<EvaluationLimits>, EvaluationLimitsValidator>();
    }
}
