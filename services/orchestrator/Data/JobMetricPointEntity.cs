namespace Cauchy.Orchestrator.Data;

/// <summary>One point of a job's training curve. The key (job, name, step) makes a repeated report an update, never a duplicate.</summary>
public sealed class JobMetricPointEntity
{
    public required string JobId { get; set; }

    public required string Name { get; set; }

    public long Step { get; set; }

    public double Value { get; set; }

    public int Epoch { get; set; }

    public DateTime Time { get; set; }
}
