using Cauchy.V1;
using Grpc.Core;

namespace Cauchy.Metrics.Tests;

/// <summary>Sends one Evaluate stream and returns the answer (or throws the status the service answered with).</summary>
public static class EvaluateStream
{
    public static async Task<EvaluateResponse> SendAsync(V1.Metrics.MetricsClient client, IReadOnlyList<EvaluateRequest> messages)
    {
        using var call = client.Evaluate(deadline: DateTime.UtcNow.AddSeconds(60));
        try
        {
            foreach (var message in messages)
            {
                await call.RequestStream.WriteAsync(message);
            }

            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The server may answer before it has read everything; its status is what the test checks.
        }
        catch (InvalidOperationException)
        {
        }

        return await call.ResponseAsync;
    }
}
