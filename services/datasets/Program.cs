using Cauchy.Data;
using Cauchy.Datasets;
using Cauchy.Datasets.Catalog;
using Cauchy.Datasets.Grpc;
using Cauchy.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("datasets", defaultGrpcPort: 50051);
builder.AddDatasets();

var app = builder.Build();
await app.MigrateDatabaseAsync<DatasetsDbContext>();
app.MapDatasetsServices();
app.MapDefaultEndpoints();
app.Run();
