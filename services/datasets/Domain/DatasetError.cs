namespace Cauchy.Datasets.Domain;

/// <summary>How a request failed, in the terms of the gRPC status it becomes.</summary>
public enum DatasetErrorKind
{
    InvalidArgument,
    NotFound,
    AlreadyExists,
    FailedPrecondition,
    ResourceExhausted,
    Unavailable,
    DataLoss,
}
