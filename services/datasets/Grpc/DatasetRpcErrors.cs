using Cauchy.Datasets.Domain;
using Google.Protobuf;
using Grpc.Core;

namespace Cauchy.Datasets.Grpc;

/// <summary>Turns domain failures into gRPC statuses; the domain's message (which names the field or id) is kept.</summary>
public static class DatasetRpcErrors
{
    /// <summary>Binary trailer carrying the ValidationReport of a rejected import.</summary>
    public const string ValidationReportTrailer = "cauchy-validation-report-bin";

    public static RpcException ToRpcException(DatasetException e)
    {
        var code = e.Kind switch
        {
            DatasetErrorKind.InvalidArgument => StatusCode.InvalidArgument,
            DatasetErrorKind.NotFound => StatusCode.NotFound,
            DatasetErrorKind.AlreadyExists => StatusCode.AlreadyExists,
            DatasetErrorKind.FailedPrecondition => StatusCode.FailedPrecondition,
            DatasetErrorKind.ResourceExhausted => StatusCode.ResourceExhausted,
            DatasetErrorKind.Unavailable => StatusCode.Unavailable,
            DatasetErrorKind.DataLoss => StatusCode.DataLoss,
            _ => StatusCode.Internal,
        };
        var trailers = new Metadata();
        if (e.Report is { } report)
        {
            trailers.Add(ValidationReportTrailer, report.ToByteArray());
        }
        return new RpcException(new Status(code, e.Message), trailers);
    }

    public static async Task<T> Run<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (DatasetException e)
        {
            throw ToRpcException(e);
        }
    }
}
