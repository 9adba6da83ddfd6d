namespace Cauchy.ServiceDefaults.Hosting;

/// <summary>Which service this process is (datasets, orchestrator, …) and the gRPC port it uses unless configured otherwise.</summary>
public sealed record ServiceIdentity(string Name, int DefaultGrpcPort);
