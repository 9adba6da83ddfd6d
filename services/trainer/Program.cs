using Cauchy.ServiceDefaults;
using Cauchy.Trainer;
using Cauchy.Trainer.Grpc;
using Cauchy.Trainer.Telemetry;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("trainer", defaultGrpcPort: 50053);
builder.AddTrainer();

var app = builder.Build();
app.Services.GetRequiredService<TrainerGauges>();
app.MapGrpcService<TrainerService>();
app.MapDefaultEndpoints();
app.Run();
