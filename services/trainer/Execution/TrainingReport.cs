namespace Cauchy.Trainer.Execution;

/// <summary>What the asynchronous side gathered while training ran: the last epoch's metrics and the last evaluation stored.</summary>
public sealed record TrainingReport(IReadOnlyDictionary<string, double> Metrics, SplitEvaluation? LastEvaluation);
