using Cauchy.V1;

namespace Cauchy.Metrics.Evaluations;

/// <summary>
/// The metrics of one evaluation kind: takes the streamed batches of that kind and writes the result into the
/// <see cref="Evaluation"/> to store. Input errors throw an INVALID_ARGUMENT <c>DomainException</c> naming the field.
/// </summary>
public interface IEvaluator
{
    /// <summary>Samples (images) taken so far.</summary>
    long SampleCount { get; }

    /// <summary>Adds one batch; a batch it rejects changes nothing that is stored.</summary>
    void Add(PredictionBatch batch);

    /// <summary>Computes the metrics into <paramref name="evaluation"/>: its result, summary and class names.</summary>
    void Complete(Evaluation evaluation);
}
