using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Cauchy.Orchestrator.Data.Migrations;

/// <summary>
/// Authentication: the ApiTokens table (platform tokens, stored as SHA-256 hashes) and Jobs.Owner, the principal that
/// submitted a job, which CancelJob checks for researchers. Jobs submitted before keep an empty owner.
/// </summary>
[DbContext(typeof(OrchestratorDbContext))]
[Migration("20261208000000_ApiTokens")]
public sealed class ApiTokensMigration : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "ApiTokens",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 64, nullable: false),
                Name = table.Column<string>(maxLength: 100, nullable: false),
                Role = table.Column<string>(maxLength: 20, nullable: false),
                SecretHash = table.Column<byte[]>(maxLength: 32, nullable: false),
                CreatedAt = table.Column<DateTime>(nullable: false),
                ExpiresAt = table.Column<DateTime>(nullable: true),
                LastUsedAt = table.Column<DateTime>(nullable: true),
                RevokedAt = table.Column<DateTime>(nullable: true),
                CreatedBy = table.Column<string>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_ApiTokens", x => x.Id));
        migrationBuilder.CreateIndex("IX_ApiTokens_SecretHash", "ApiTokens", "SecretHash", unique: true);
        migrationBuilder.AddColumn<string>(name: "Owner", table: "Jobs", nullable: false, defaultValue: "");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropColumn(name: "Owner", table: "Jobs");
        migrationBuilder.DropTable(name: "ApiTokens");
    }
}
