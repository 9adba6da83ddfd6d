using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Cauchy.Metrics.Data.Migrations;

/// <summary>
/// The dataset and version an evaluation names, as columns that lists filter on. Evaluations stored before have empty
/// columns (their payload is not read back here), so a dataset filter does not find them.
/// </summary>
[DbContext(typeof(MetricsDbContext))]
[Migration("20261208000000_DatasetLineage")]
public sealed class DatasetLineageMigration : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<string>("DatasetId", "Evaluations", maxLength: 128, nullable: false, defaultValue: "");
        migrationBuilder.AddColumn<string>("DatasetVersionId", "Evaluations", maxLength: 128, nullable: false, defaultValue: "");
        migrationBuilder.CreateIndex("IX_Evaluations_DatasetId_DatasetVersionId", "Evaluations", ["DatasetId", "DatasetVersionId"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex("IX_Evaluations_DatasetId_DatasetVersionId", "Evaluations");
        migrationBuilder.DropColumn("DatasetVersionId", "Evaluations");
        migrationBuilder.DropColumn("DatasetId", "Evaluations");
    }
}
