using Cauchy.Metrics.Grpc;
using Cauchy.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("metrics", defaultGrpcPort: 50054);

var app = builder.Build();
app.MapGrpcService<MetricsService>();
app.MapDefaultEndpoints();
app.Run();
