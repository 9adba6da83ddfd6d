using Cauchy.Datasets.Grpc;
using Cauchy.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("datasets", defaultGrpcPort: 50051);

var app = builder.Build();
app.MapGrpcService<DatasetsService>();
app.MapDefaultEndpoints();
app.Run();
