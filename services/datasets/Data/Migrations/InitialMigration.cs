using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Cauchy.Datasets.Data.Migrations;

/// <summary>The first schema (hand-written and provider-neutral, see services/shared/Cauchy.Data/README.md).</summary>
[DbContext(typeof(DatasetsDbContext))]
[Migration("20261122000000_Initial")]
public sealed class InitialMigration : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "Datasets",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 63, nullable: false),
                DisplayName = table.Column<string>(nullable: false),
                Description = table.Column<string>(nullable: false),
                TaskType = table.Column<int>(nullable: false),
                LabelsJson = table.Column<string>(nullable: false),
                CreateTime = table.Column<DateTime>(nullable: false),
                UpdateTime = table.Column<DateTime>(nullable: false),
                Version = table.Column<long>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_Datasets", x => x.Id));
        migrationBuilder.CreateTable(
            name: "Versions",
            columns: table => new
            {
                ImportId = table.Column<string>(maxLength: 32, nullable: false),
                DatasetId = table.Column<string>(maxLength: 63, nullable: false),
                VersionId = table.Column<string>(maxLength: 64, nullable: true),
                State = table.Column<int>(nullable: false),
                ObjectPrefix = table.Column<string>(maxLength: 300, nullable: false),
                CreateTime = table.Column<DateTime>(nullable: false),
                VersionProto = table.Column<byte[]>(nullable: true),
                ManifestProto = table.Column<byte[]>(nullable: true),
                StatisticsProto = table.Column<byte[]>(nullable: true),
                Version = table.Column<long>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_Versions", x => x.ImportId));
        migrationBuilder.CreateIndex("IX_Versions_DatasetId_VersionId", "Versions", ["DatasetId", "VersionId"], unique: true);
        migrationBuilder.CreateIndex("IX_Versions_DatasetId_State_CreateTime", "Versions", ["DatasetId", "State", "CreateTime"]);
        migrationBuilder.CreateIndex("IX_Versions_ObjectPrefix", "Versions", "ObjectPrefix");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("Versions");
        migrationBuilder.DropTable("Datasets");
    }
}
