using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Cauchy.Orchestrator.Data.Migrations;

/// <summary>
/// Jobs.ResultModelVersionId: the registry-wide id of the version a job registered, which CompleteJob receives and
/// GetJob returns in result_model_version.version_id (it was dropped before: only the name and number were stored).
/// Jobs completed before this migration keep an empty id.
/// </summary>
[DbContext(typeof(OrchestratorDbContext))]
[Migration("20261207000000_ResultModelVersionId")]
public sealed class ResultModelVersionIdMigration : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.AddColumn<string>(name: "ResultModelVersionId", table: "Jobs", nullable: false, defaultValue: "");

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.DropColumn(name: "ResultModelVersionId", table: "Jobs");
}
