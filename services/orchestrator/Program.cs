using Cauchy.Orchestrator.Grpc;
using Cauchy.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("orchestrator", defaultGrpcPort: 50052);

var app = builder.Build();
app.MapGrpcService<JobsService>();
app.MapDefaultEndpoints();
app.Run();
