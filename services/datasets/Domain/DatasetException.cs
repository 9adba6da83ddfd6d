namespace Cauchy.Datasets.Domain;

/// <summary>
/// A failure the caller can act on, raised by the domain classes; the gRPC service maps <see cref="Kind"/> to a
/// status code and passes the message through unchanged, so the message must name the field, entry or id at fault.
/// </summary>
public sealed class DatasetException(DatasetErrorKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public DatasetErrorKind Kind { get; } = kind;

    /// <summary>For a rejected import: the validation report, which the gRPC service also sends as a trailer.</summary>
    public V1.ValidationReport? Report { get; init; }

    public static DatasetException InvalidArgument(string message) => new(DatasetErrorKind.InvalidArgument, message);

    public static DatasetException NotFound(string message) => new(DatasetErrorKind.NotFound, message);

    public static DatasetException AlreadyExists(string message) => new(DatasetErrorKind.AlreadyExists, message);

    public static DatasetException FailedPrecondition(string message) => new(DatasetErrorKind.FailedPrecondition, message);

    public static DatasetException DataLoss(string message) => new(DatasetErrorKind.DataLoss, message);
}
