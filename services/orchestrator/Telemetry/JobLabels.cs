namespace Cauchy.Orchestrator.Telemetry;

/// <summary>The labels of a running job's series: <c>dataset</c>, <c>job_id</c>, <c>model</c> (the architecture).</summary>
internal sealed record JobLabels(string Dataset, string JobId, string Model)
{
    /// <summary>
    /// The label names, alphabetical as Prometheus orders them in query results, so a /metrics line and a PromQL answer
    /// read alike. job_id rather than job: Prometheus gives every scraped series its target's job label.
    /// </summary>
    public static readonly string[] Names = ["dataset", "job_id", "model"];

    public static JobLabels FromValues(string[] values) => new(values[0], values[1], values[2]);

    public string[] Values() => [Dataset, JobId, Model];
}
