using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Cauchy.Registry.Data.Migrations;

/// <summary>
/// The registry's first schema, hand-written and provider-neutral (see services/shared/Cauchy.Data/README.md):
/// no store types, EF's constraint names. tests/Cauchy.Registry.Tests checks it against the model on both engines.
/// </summary>
[DbContext(typeof(RegistryDbContext))]
[Migration("20261122050000_Initial")]
public sealed class InitialMigration : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "Models",
            columns: table => new
            {
                Name = table.Column<string>(maxLength: 63, nullable: false),
                TaskType = table.Column<int>(nullable: false),
                Architecture = table.Column<string>(maxLength: 200, nullable: false),
                Description = table.Column<string>(nullable: false),
                CreateTime = table.Column<DateTime>(nullable: false),
                UpdateTime = table.Column<DateTime>(nullable: false),
                LatestVersion = table.Column<int>(nullable: false),
                Version = table.Column<long>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_Models", x => x.Name));

        migrationBuilder.CreateTable(
            name: "ModelLabels",
            columns: table => new
            {
                ModelName = table.Column<string>(maxLength: 63, nullable: false),
                Key = table.Column<string>(maxLength: 317, nullable: false),
                Value = table.Column<string>(maxLength: 63, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ModelLabels", x => new { x.ModelName, x.Key });
                table.ForeignKey("FK_ModelLabels_Models_ModelName", x => x.ModelName, "Models", "Name", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "ModelVersions",
            columns: table => new
            {
                ModelName = table.Column<string>(maxLength: 63, nullable: false),
                Number = table.Column<int>(nullable: false),
                VersionId = table.Column<string>(maxLength: 40, nullable: false),
                Stage = table.Column<int>(nullable: false),
                Description = table.Column<string>(nullable: false),
                LabelsJson = table.Column<string>(nullable: false),
                ClassNamesJson = table.Column<string>(nullable: false),
                Lineage = table.Column<byte[]>(nullable: true),
                LineageJobId = table.Column<string>(maxLength: 200, nullable: true),
                LineageDatasetId = table.Column<string>(maxLength: 63, nullable: true),
                LineageDatasetVersionId = table.Column<string>(maxLength: 200, nullable: true),
                Pretrained = table.Column<byte[]>(nullable: true),
                IsPretrained = table.Column<bool>(nullable: false),
                Architecture = table.Column<string>(maxLength: 200, nullable: false),
                TaskType = table.Column<int>(nullable: false),
                WeightsKey = table.Column<string>(maxLength: 1024, nullable: false),
                WeightsSha256 = table.Column<string>(maxLength: 64, nullable: false),
                WeightsSize = table.Column<long>(nullable: false),
                ModelCardKey = table.Column<string>(maxLength: 1024, nullable: false),
                ModelCardSha256 = table.Column<string>(maxLength: 64, nullable: false),
                ModelCardSize = table.Column<long>(nullable: false),
                IdempotencyKey = table.Column<string>(maxLength: 128, nullable: true),
                CreateTime = table.Column<DateTime>(nullable: false),
                StageUpdateTime = table.Column<DateTime>(nullable: false),
                Version = table.Column<long>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ModelVersions", x => new { x.ModelName, x.Number });
                table.ForeignKey("FK_ModelVersions_Models_ModelName", x => x.ModelName, "Models", "Name", onDelete: ReferentialAction.Restrict);
            });

        migrationBuilder.CreateTable(
            name: "Metrics",
            columns: table => new
            {
                ModelName = table.Column<string>(maxLength: 63, nullable: false),
                VersionNumber = table.Column<int>(nullable: false),
                Name = table.Column<string>(maxLength: 200, nullable: false),
                Value = table.Column<double>(nullable: false),
                Step = table.Column<long>(nullable: false),
                Epoch = table.Column<int>(nullable: false),
                Time = table.Column<DateTime>(nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Metrics", x => new { x.ModelName, x.VersionNumber, x.Name });
                table.ForeignKey("FK_Metrics_ModelVersions_ModelName_VersionNumber", x => new { x.ModelName, x.VersionNumber },
                    "ModelVersions", ["ModelName", "Number"], onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateIndex("IX_Models_Architecture", "Models", "Architecture");
        migrationBuilder.CreateIndex("IX_ModelLabels_Key_Value", "ModelLabels", ["Key", "Value"]);
        migrationBuilder.CreateIndex("IX_ModelVersions_VersionId", "ModelVersions", "VersionId", unique: true);
        migrationBuilder.CreateIndex("IX_ModelVersions_ModelName_IdempotencyKey", "ModelVersions", ["ModelName", "IdempotencyKey"], unique: true);
        migrationBuilder.CreateIndex("IX_ModelVersions_ModelName_Stage", "ModelVersions", ["ModelName", "Stage"]);
        migrationBuilder.CreateIndex("IX_ModelVersions_LineageJobId", "ModelVersions", "LineageJobId");
        migrationBuilder.CreateIndex("IX_ModelVersions_LineageDatasetId_LineageDatasetVersionId", "ModelVersions", ["LineageDatasetId", "LineageDatasetVersionId"]);
        migrationBuilder.CreateIndex("IX_ModelVersions_IsPretrained_Architecture", "ModelVersions", ["IsPretrained", "Architecture"]);
        migrationBuilder.CreateIndex("IX_ModelVersions_WeightsSha256", "ModelVersions", "WeightsSha256");
        migrationBuilder.CreateIndex("IX_Metrics_Name_Value", "Metrics", ["Name", "Value"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("Metrics");
        migrationBuilder.DropTable("ModelVersions");
        migrationBuilder.DropTable("ModelLabels");
        migrationBuilder.DropTable("Models");
    }
}
