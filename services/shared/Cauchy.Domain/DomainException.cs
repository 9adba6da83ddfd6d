namespace Cauchy.Domain;

/// <summary>
/// A request the domain refuses, with a sentence the caller can act on: it names the field, object or id at fault, and
/// it reaches the caller unchanged (Cauchy.ServiceDefaults maps <see cref="Kind"/> to the status code in one place).
/// Anything else thrown is a bug: the server logs it and the caller gets UNKNOWN without details.
/// </summary>
public class DomainException(DomainErrorKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public DomainErrorKind Kind { get; } = kind;

    /// <summary>For <see cref="DomainErrorKind.InvalidArgument"/>: the request field at fault, when there is one.</summary>
    public string? Field { get; init; }

    /// <summary>
    /// Binary details sent with the status (as gRPC trailers), keyed by a name that ends in "-bin", e.g. the validation
    /// report of a rejected import.
    /// </summary>
    public IReadOnlyDictionary<string, byte[]> Details { get; init; } = new Dictionary<string, byte[]>();

    /// <summary>A wrong field: the message is "<paramref name="field"/>: <paramref name="problem"/>".</summary>
    public static DomainException InvalidArgument(string field, string problem) =>
        new(DomainErrorKind.InvalidArgument, $"{field}: {problem}") { Field = field };

    /// <summary>A wrong request whose message already names the field.</summary>
    public static DomainException InvalidArgument(string message) => new(DomainErrorKind.InvalidArgument, message);

    public static DomainException NotFound(string message) => new(DomainErrorKind.NotFound, message);

    public static DomainException AlreadyExists(string message) => new(DomainErrorKind.AlreadyExists, message);

    public static DomainException FailedPrecondition(string message) => new(DomainErrorKind.FailedPrecondition, message);

    public static DomainException Aborted(string message, Exception? inner = null) => new(DomainErrorKind.Aborted, message, inner);

    public static DomainException DataLoss(string message) => new(DomainErrorKind.DataLoss, message);

    public static DomainException PermissionDenied(string message) => new(DomainErrorKind.PermissionDenied, message);
}
