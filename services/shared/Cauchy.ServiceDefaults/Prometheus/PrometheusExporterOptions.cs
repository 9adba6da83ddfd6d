using Microsoft.Extensions.Configuration;

namespace Cauchy.ServiceDefaults.Prometheus;

/// <summary>
/// Which meters the exporter listens to and the histogram buckets it uses when an instrument gives none.
/// Configuration section <c>Metrics</c>: <c>Metrics:Meters:0=Cauchy.</c> … (replaces the default list),
/// <c>Metrics:DefaultHistogramBuckets:0=0.005</c> ….
/// </summary>
public sealed record PrometheusExporterOptions
{
    public const string SectionName = "Metrics";

    /// <summary>The Prometheus client libraries' default buckets, in seconds.</summary>
    public static readonly IReadOnlyList<double> PrometheusDefaultBuckets =
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>
    /// A meter is exported when its name starts with one of these (ordinal). <c>Cauchy.</c> covers every meter
    /// of ours, the gRPC server metrics included; <c>System.Runtime</c> adds the runtime's GC, thread pool,
    /// CPU and memory metrics.
    /// </summary>
    public IReadOnlyList<string> MeterPrefixes { get; init; } = ["Cauchy.", "System.Runtime"];

    /// <summary>Bucket upper bounds for histograms whose instrument carries no bucket advice.</summary>
    public IReadOnlyList<double> DefaultHistogramBuckets { get; init; } = PrometheusDefaultBuckets;

    public static PrometheusExporterOptions FromConfiguration(IConfiguration configuration)
    {
        // Bound by hand: the configuration binder appends to a list that already holds defaults instead of
        // replacing it.
        var section = configuration.GetSection(SectionName);
        var options = new PrometheusExporterOptions();
        var meters = section.GetSection("Meters").Get<string[]>();
        if (meters is { Length: > 0 })
        {
            options = options with { MeterPrefixes = meters };
        }

        var buckets = section.GetSection("DefaultHistogramBuckets").Get<double[]>();
        if (buckets is { Length: > 0 })
        {
            options = options with { DefaultHistogramBuckets = buckets };
        }

        return options;
    }
}
