using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Cauchy.Orchestrator.Data.Migrations;

/// <summary>
/// OrchestratorHeartbeats: the orchestrator's own heartbeat row, so that a restarted orchestrator knows how long no
/// replica was running and extends every active lease by that time instead of expiring it.
/// </summary>
[DbContext(typeof(OrchestratorDbContext))]
[Migration("20261208000001_OrchestratorHeartbeat")]
public sealed class OrchestratorHeartbeatMigration : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.CreateTable(
            name: "OrchestratorHeartbeats",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 64, nullable: false),
                BeatAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_OrchestratorHeartbeats", x => x.Id));

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.DropTable("OrchestratorHeartbeats");
}
