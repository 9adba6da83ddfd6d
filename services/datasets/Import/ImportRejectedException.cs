using Cauchy.Domain;
using Cauchy.V1;
using Google.Protobuf;

namespace Cauchy.Datasets.Import;

/// <summary>
/// An import refused for the samples it holds (INVALID_ARGUMENT). The caller also gets the <see cref="Report"/> that
/// says which samples and why, as the binary trailer <see cref="ReportTrailer"/>.
/// </summary>
public sealed class ImportRejectedException : DomainException
{
    /// <summary>Binary trailer carrying the ValidationReport of a rejected import.</summary>
    public const string ReportTrailer = "cauchy-validation-report-bin";

    public ImportRejectedException(string message, ValidationReport report)
        : base(DomainErrorKind.InvalidArgument, message)
    {
        Report = report;
        Details = new Dictionary<string, byte[]> { [ReportTrailer] = report.ToByteArray() };
    }

    public ValidationReport Report { get; }
}
