using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Cauchy.Metrics.Data.Migrations;

/// <summary>Hand-written, provider-neutral (see services/shared/Cauchy.Data/README.md).</summary>
[DbContext(typeof(MetricsDbContext))]
[Migration("20261122000000_Initial")]
public sealed class InitialMigration : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "Evaluations",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 64, nullable: false),
                Kind = table.Column<int>(nullable: false),
                JobId = table.Column<string>(maxLength: 128, nullable: false),
                ModelName = table.Column<string>(maxLength: 200, nullable: false),
                ModelVersion = table.Column<int>(nullable: false),
                CreatedAt = table.Column<DateTime>(nullable: false),
                Payload = table.Column<byte[]>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_Evaluations", x => x.Id));
        migrationBuilder.CreateIndex("IX_Evaluations_CreatedAt_Id", "Evaluations", ["CreatedAt", "Id"]);
        migrationBuilder.CreateIndex("IX_Evaluations_JobId", "Evaluations", "JobId");
        migrationBuilder.CreateIndex("IX_Evaluations_ModelName_ModelVersion", "Evaluations", ["ModelName", "ModelVersion"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable("Evaluations");
}
