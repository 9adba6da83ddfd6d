using Grpc.AspNetCore.Server;

namespace Cauchy.ServiceDefaults.Hosting;

/// <summary>The gRPC server's message and compression settings, from <see cref="ServiceHostingOptions"/>.</summary>
internal static class GrpcServerSettings
{
    public static void Configure(GrpcServiceOptions grpc, ServiceHostingOptions hosting)
    {
        grpc.MaxReceiveMessageSize = hosting.MaxReceiveMessageBytes;
        grpc.MaxSendMessageSize = hosting.MaxSendMessageBytes;
        // Responses are compressed only when this names an algorithm and the client accepts it (grpc-accept-encoding).
        grpc.ResponseCompressionAlgorithm = hosting.ResponseCompression;
        grpc.ResponseCompressionLevel = System.IO.Compression.CompressionLevel.Fastest;
        // Exception details stay in the server log: a client sees only the status a service chose to send.
        grpc.EnableDetailedErrors = false;
    }
}
