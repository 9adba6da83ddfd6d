using Cauchy.V1;

namespace Cauchy.Trainer.Execution;

/// <summary>An evaluation begins: its header opens the metrics service's stream.</summary>
public sealed record EvaluationStarted(EvaluationHeader Header) : TrainingEvent;
