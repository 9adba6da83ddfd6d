using Cauchy.ServiceDefaults;
using Cauchy.Trainer.Extensions;
using Cauchy.Trainer.Grpc;
using Cauchy.Trainer.Telemetry;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("trainer", defaultGrpcPort: 50053);
builder.AddApplicationServices();

var app = builder.Build();
app.Services.GetRequiredService<TrainerGauges>();
app.MapGrpcService<TrainerService>();
app.MapDefaultEndpoints();
app.Run();
