using Cauchy.Data;
using Cauchy.Metrics.Data;
using Cauchy.Metrics.Extensions;
using Cauchy.Metrics.Grpc;
using Cauchy.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("metrics", defaultGrpcPort: 50054);
builder.AddApplicationServices();

var app = builder.Build();
await app.MigrateDatabaseAsync<MetricsDbContext>();
app.MapGrpcService<MetricsService>();
app.MapDefaultEndpoints();
app.Run();
