using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cauchy.ServiceDefaults.Hosting;

/// <summary>
/// <c>/healthz</c> answers a single word for probes and people: <c>ok</c> (200), <c>degraded</c> (200) or
/// <c>unhealthy</c> (503). Check details stay in the logs; they may name internal hosts.
/// </summary>
internal static class HealthzResponseWriter
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        var word = report.Status switch
        {
            HealthStatus.Healthy => "ok",
            HealthStatus.Degraded => "degraded",
            _ => "unhealthy",
        };
        return context.Response.WriteAsync(word, context.RequestAborted);
    }
}
