using Cauchy.Data;
using Cauchy.Datasets.Data;
using Cauchy.Datasets.Extensions;
using Cauchy.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("datasets", defaultGrpcPort: 50051);
builder.AddApplicationServices();

var app = builder.Build();
await app.MigrateDatabaseAsync<DatasetsDbContext>();
app.MapDatasetsServices();
app.MapDefaultEndpoints();
app.Run();
