using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Cauchy.Storage.Tests.Support;

/// <summary>
/// Forwards S3 requests to s3rver, records each one as "METHOD path?query", and answers the next requests that
/// match a filter with queued failures instead: an S3 error status, or a dropped connection (status 0).
/// </summary>
public sealed class FaultInjectingHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly ConcurrentQueue<HttpStatusCode> _faults = new();
    private Func<HttpRequestMessage, bool> _matches = _ => false;

    public ConcurrentQueue<string> Requests { get; } = new();

    public void FailNext(Func<HttpRequestMessage, bool> matches, params HttpStatusCode[] faults)
    {
        _matches = matches;
        foreach (var fault in faults)
        {
            _faults.Enqueue(fault);
        }
    }

    public int Count(string method, string queryFragment) =>
        Requests.Count(r => r.StartsWith(method + " ", StringComparison.Ordinal) && r.Contains(queryFragment, StringComparison.Ordinal));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Enqueue($"{request.Method} {request.RequestUri?.PathAndQuery}");
        if (_matches(request) && _faults.TryDequeue(out var fault))
        {
            if (fault == 0)
            {
                throw new HttpRequestException("Connection reset by peer (injected).");
            }
            var code = fault switch
            {
                HttpStatusCode.ServiceUnavailable => "SlowDown",
                HttpStatusCode.Forbidden => "AccessDenied",
                _ => "InternalError",
            };
            if (request.Method == HttpMethod.Head)
            {
                // A HEAD answer never carries a body, error or not.
                return new HttpResponseMessage(fault) { RequestMessage = request };
            }
            return new HttpResponseMessage(fault)
            {
                RequestMessage = request,
                Content = new StringContent(
                    $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>injected</Message><RequestId>1</RequestId></Error>",
                    Encoding.UTF8, "application/xml"),
            };
        }
        return await base.SendAsync(request, cancellationToken);
    }
}
