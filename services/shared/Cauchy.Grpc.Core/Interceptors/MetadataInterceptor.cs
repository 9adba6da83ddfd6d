namespace Grpc.Core.Interceptors;

/// <summary>Rewrites the request headers of every call.</summary>
internal sealed class MetadataInterceptor(Func<Metadata, Metadata> rewrite) : ClientContextInterceptor
{
    protected override ClientInterceptorContext<TRequest, TResponse> Rewrite<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context) =>
        new(context.Method, context.Host, context.Options.WithHeaders(rewrite(context.Options.Headers ?? [])));
}
