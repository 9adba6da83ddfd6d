using Cauchy.Data;
using Cauchy.Orchestrator.Data;
using Cauchy.Orchestrator.Extensions;
using Cauchy.Orchestrator.Grpc;
using Cauchy.Orchestrator.Telemetry;
using Cauchy.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("orchestrator", defaultGrpcPort: 50052);
builder.AddApplicationServices();

var app = builder.Build();
await app.MigrateDatabaseAsync<OrchestratorDbContext>();
app.Services.GetRequiredService<JobGauges>();
app.MapGrpcService<JobsService>();
app.MapGrpcService<AuthService>();
app.MapDefaultEndpoints();
app.Run();
