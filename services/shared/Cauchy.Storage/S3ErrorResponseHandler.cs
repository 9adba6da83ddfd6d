using System.Net;
using System.Xml;
using System.Xml.Linq;

namespace Cauchy.Storage;

/// <summary>
/// Turns every S3 answer of 300 or more into an <see cref="S3RequestException"/> before a client library parses it.
/// The Minio client reads error answers lossily (the status is dropped; a 5xx without an XML body, which every
/// HEAD answer is, surfaces as a NullReferenceException) and hands a GET's body to the reader before it looks at
/// the status, so a failed GET would be read as object content. Raising here gives both client libraries the
/// same exception, with the status the retry policy needs and a message that says what to fix.
/// </summary>
internal sealed class S3ErrorResponseHandler(string bucket, string endpoint) : DelegatingHandler
{
    // Error documents are a few hundred bytes; a proxy's HTML page is not worth reading whole.
    private const int MaxErrorBodyBytes = 64 * 1024;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if ((int)response.StatusCode < 300)
        {
            return response;
        }
        using (response)
        {
            var (code, message, requestId) = await ReadErrorAsync(response, cancellationToken);
            throw new S3RequestException(Describe(request, response.StatusCode, code, message), response.StatusCode, code, bucket, requestId);
        }
    }

    public static string MissingBucketMessage(string bucket, string endpoint) =>
        $"Bucket '{bucket}' does not exist on {endpoint}: create it, or set Storage:S3:Bucket to one that exists.";

    private string Describe(HttpRequestMessage request, HttpStatusCode status, string? code, string? message)
    {
        var method = request.Method.Method;
        var resource = request.RequestUri?.AbsolutePath ?? "";
        var details = message is null ? "" : $": {message}";
        return code switch
        {
            "NoSuchBucket" => MissingBucketMessage(bucket, endpoint),
            "InvalidAccessKeyId" or "SignatureDoesNotMatch" =>
                $"{endpoint} rejected the S3 credentials ({code}{details}); check Storage:S3:AccessKey and Storage:S3:SecretKey.",
            null when status == HttpStatusCode.Forbidden =>
                $"{endpoint} denied {method} {resource} (403 without details): the credentials are wrong or may not use bucket '{bucket}'.",
            _ => $"S3 {method} {resource} on {endpoint} failed with {(int)status} {code ?? status.ToString()}{details}.",
        };
    }

    private static async Task<(string? Code, string? Message, string? RequestId)> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var requestId = response.Headers.TryGetValues("x-amz-request-id", out var ids) ? ids.FirstOrDefault() : null;
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[MaxErrorBodyBytes];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                length += read;
            }
            if (length == 0)
            {
                return (null, null, requestId);
            }
            using var reader = XmlReader.Create(new MemoryStream(buffer, 0, length), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
            var error = XDocument.Load(reader).Root;
            if (error?.Name.LocalName != "Error")
            {
                return (null, null, requestId);
            }
            string? Element(string name) => error.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value is { Length: > 0 } value ? value : null;
            return (Element("Code"), Element("Message"), Element("RequestId") ?? requestId);
        }
        catch (XmlException)
        {
            // Not an S3 error document (a proxy's page, a truncated body): the status alone has to do.
            return (null, null, requestId);
        }
    }
}
