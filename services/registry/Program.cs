using Cauchy.Registry.Grpc;
using Cauchy.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("registry", defaultGrpcPort: 50055);

var app = builder.Build();
app.MapGrpcService<ModelsService>();
app.MapDefaultEndpoints();
app.Run();
