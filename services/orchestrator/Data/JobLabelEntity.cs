namespace Cauchy.Orchestrator.Data;

/// <summary>One label of a job, in a table of its own so that ListJobs' label_selector is a query.</summary>
public sealed class JobLabelEntity
{
    public required string JobId { get; set; }

    public required string Key { get; set; }

    public required string Value { get; set; }
}
