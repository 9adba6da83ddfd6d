namespace Cauchy.Domain;

/// <summary>
/// Why a request cannot be done, in words every transport understands. Cauchy.ServiceDefaults turns each kind into the
/// gRPC status code of the same name.
/// </summary>
public enum DomainErrorKind
{
    /// <summary>A field of the request is wrong whatever the state of the system (the message names the field).</summary>
    InvalidArgument,

    /// <summary>The object the request names does not exist.</summary>
    NotFound,

    /// <summary>The object the request would create is already there.</summary>
    AlreadyExists,

    /// <summary>The system is not in a state that allows the request (e.g. a finished job cannot be cancelled).</summary>
    FailedPrecondition,

    /// <summary>A concurrent change got in the way; reading again and retrying may succeed.</summary>
    Aborted,

    /// <summary>A limit was reached (a size, a count, a quota).</summary>
    ResourceExhausted,

    /// <summary>Stored data is lost or corrupt.</summary>
    DataLoss,

    /// <summary>Something the request depends on cannot be reached right now; retrying later may succeed.</summary>
    Unavailable,

    /// <summary>The caller may not do this.</summary>
    PermissionDenied,

    /// <summary>The request asks for something this build does not do.</summary>
    Unimplemented,
}
