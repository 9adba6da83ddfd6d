using Grpc.Core;
using Grpc.Net.Client;

namespace Cauchy.ServiceDefaults.GrpcClient;

/// <summary>A channel to one address and the resilient call invoker in front of it.</summary>
internal sealed record ServiceChannel(GrpcChannel Channel, GrpcClientResilienceInterceptor Resilience, CallInvoker Invoker);
