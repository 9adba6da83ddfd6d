namespace Cauchy.ServiceDefaults.Prometheus;

/// <summary>The metric types of the Prometheus text exposition format 0.0.4 that the exporter writes.</summary>
public enum PrometheusMetricType
{
    Counter,
    Gauge,
    Histogram,
}
