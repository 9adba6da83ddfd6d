using Grpc.Core;

namespace Cauchy.ServiceDefaults.GrpcServer;

/// <summary>
/// Status codes as go-grpc-prometheus labels them (Go's <c>codes.Code.String()</c>): <c>OK</c>, <c>Canceled</c>,
/// <c>Unknown</c>, <c>InvalidArgument</c>, … — so dashboards and alerts written for that convention
/// (<c>grpc_code!="OK"</c>) work unchanged. Only CANCELLED is spelled differently from the C# enum.
/// </summary>
public static class GrpcStatusNames
{
    public static string Of(StatusCode code) => code switch
    {
        StatusCode.OK => "OK",
        StatusCode.Cancelled => "Canceled",
        StatusCode.Unknown => "Unknown",
        StatusCode.InvalidArgument => "InvalidArgument",
        StatusCode.DeadlineExceeded => "DeadlineExceeded",
        StatusCode.NotFound => "NotFound",
        StatusCode.AlreadyExists => "AlreadyExists",
        StatusCode.PermissionDenied => "PermissionDenied",
        StatusCode.ResourceExhausted => "ResourceExhausted",
        StatusCode.FailedPrecondition => "FailedPrecondition",
        StatusCode.Aborted => "Aborted",
        StatusCode.OutOfRange => "OutOfRange",
        StatusCode.Unimplemented => "Unimplemented",
        StatusCode.Internal => "Internal",
        StatusCode.Unavailable => "Unavailable",
        StatusCode.DataLoss => "DataLoss",
        StatusCode.Unauthenticated => "Unauthenticated",
        _ => "Code(" + ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture) + ")",
    };
}
