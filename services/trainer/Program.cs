using Cauchy.Trainer.Grpc;
using Cauchy.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("trainer", defaultGrpcPort: 50053);

var app = builder.Build();
app.MapGrpcService<TrainerService>();
app.MapDefaultEndpoints();
app.Run();
