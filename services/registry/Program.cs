using Cauchy.Data;
using Cauchy.Registry.Data;
using Cauchy.Registry.Extensions;
using Cauchy.Registry.Grpc;
using Cauchy.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("registry", defaultGrpcPort: 50055);
builder.AddApplicationServices();

var app = builder.Build();
await app.MigrateDatabaseAsync<RegistryDbContext>();
app.MapGrpcService<ModelsService>();
app.MapDefaultEndpoints();
app.Run();
