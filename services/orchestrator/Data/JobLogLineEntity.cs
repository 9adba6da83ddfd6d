namespace Cauchy.Orchestrator.Data;

/// <summary>One line of a job's training log, numbered from 1 over all attempts.</summary>
public sealed class JobLogLineEntity
{
    public required string JobId { get; set; }

    public long Sequence { get; set; }

    public DateTime Time { get; set; }

    public int Attempt { get; set; }

    public string WorkerId { get; set; } = "";

    public string Text { get; set; } = "";
}
