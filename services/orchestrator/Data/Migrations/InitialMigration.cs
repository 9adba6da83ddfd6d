using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Cauchy.Orchestrator.Data.Migrations;

/// <summary>Hand-written, provider-neutral (see services/shared/Cauchy.Data/README.md).</summary>
[DbContext(typeof(OrchestratorDbContext))]
[Migration("20261123000000_Initial")]
public sealed class InitialMigration : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "Jobs",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 64, nullable: false),
                Version = table.Column<long>(nullable: false),
                State = table.Column<int>(nullable: false),
                Priority = table.Column<int>(nullable: false),
                CreatedAt = table.Column<DateTime>(nullable: false),
                UpdatedAt = table.Column<DateTime>(nullable: false),
                StartedAt = table.Column<DateTime>(nullable: true),
                EndedAt = table.Column<DateTime>(nullable: true),
                DisplayName = table.Column<string>(nullable: false),
                DatasetId = table.Column<string>(nullable: false),
                DatasetVersionId = table.Column<string>(nullable: false),
                Architecture = table.Column<string>(nullable: false),
                Gpus = table.Column<int>(nullable: false),
                MemoryBytes = table.Column<long>(nullable: false),
                GpuMemoryBytes = table.Column<long>(nullable: false),
                IdempotencyKey = table.Column<string>(maxLength: 128, nullable: true),
                Spec = table.Column<byte[]>(nullable: false),
                SubmittedSpec = table.Column<byte[]>(nullable: false),
                Attempt = table.Column<int>(nullable: false),
                AttemptStartedAt = table.Column<DateTime>(nullable: true),
                RunTicks = table.Column<long>(nullable: false),
                MaxRunTicks = table.Column<long>(nullable: false),
                FailureCount = table.Column<int>(nullable: false),
                MaxRetries = table.Column<int>(nullable: false),
                LeaseId = table.Column<string>(maxLength: 64, nullable: true),
                WorkerId = table.Column<string>(nullable: false),
                LeaseExpiresAt = table.Column<DateTime>(nullable: true),
                Progress = table.Column<byte[]>(nullable: true),
                LatestCheckpoint = table.Column<byte[]>(nullable: true),
                CheckpointStep = table.Column<long>(nullable: false),
                LastMetrics = table.Column<byte[]>(nullable: true),
                LastCompletedEpoch = table.Column<int>(nullable: false),
                ResultModelName = table.Column<string>(nullable: false),
                ResultModelVersion = table.Column<int>(nullable: false),
                ErrorMessage = table.Column<string>(nullable: false),
                EventCount = table.Column<long>(nullable: false),
                LogCount = table.Column<long>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_Jobs", x => x.Id));
        migrationBuilder.CreateIndex("IX_Jobs_State_Priority_CreatedAt", "Jobs", ["State", "Priority", "CreatedAt"]);
        migrationBuilder.CreateIndex("IX_Jobs_CreatedAt_Id", "Jobs", ["CreatedAt", "Id"]);
        migrationBuilder.CreateIndex("IX_Jobs_IdempotencyKey", "Jobs", "IdempotencyKey", unique: true);
        migrationBuilder.CreateIndex("IX_Jobs_LeaseId", "Jobs", "LeaseId", unique: true);
        migrationBuilder.CreateIndex("IX_Jobs_DatasetId", "Jobs", "DatasetId");

        migrationBuilder.CreateTable(
            name: "JobLabels",
            columns: table => new
            {
                JobId = table.Column<string>(maxLength: 64, nullable: false),
                Key = table.Column<string>(nullable: false),
                Value = table.Column<string>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_JobLabels", x => new { x.JobId, x.Key }));
        migrationBuilder.CreateIndex("IX_JobLabels_Key_Value", "JobLabels", ["Key", "Value"]);

        migrationBuilder.CreateTable(
            name: "Leases",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 64, nullable: false),
                JobId = table.Column<string>(maxLength: 64, nullable: false),
                WorkerId = table.Column<string>(nullable: false),
                Attempt = table.Column<int>(nullable: false),
                GrantedAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_Leases", x => x.Id));
        migrationBuilder.CreateIndex("IX_Leases_JobId", "Leases", "JobId");

        migrationBuilder.CreateTable(
            name: "JobEvents",
            columns: table => new
            {
                JobId = table.Column<string>(maxLength: 64, nullable: false),
                Sequence = table.Column<long>(nullable: false),
                Time = table.Column<DateTime>(nullable: false),
                Payload = table.Column<byte[]>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_JobEvents", x => new { x.JobId, x.Sequence }));

        migrationBuilder.CreateTable(
            name: "JobLogLines",
            columns: table => new
            {
                JobId = table.Column<string>(maxLength: 64, nullable: false),
                Sequence = table.Column<long>(nullable: false),
                Time = table.Column<DateTime>(nullable: false),
                Attempt = table.Column<int>(nullable: false),
                WorkerId = table.Column<string>(nullable: false),
                Text = table.Column<string>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_JobLogLines", x => new { x.JobId, x.Sequence }));

        migrationBuilder.CreateTable(
            name: "JobMetricPoints",
            columns: table => new
            {
                JobId = table.Column<string>(maxLength: 64, nullable: false),
                Name = table.Column<string>(maxLength: 200, nullable: false),
                Step = table.Column<long>(nullable: false),
                Value = table.Column<double>(nullable: false),
                Epoch = table.Column<int>(nullable: false),
                Time = table.Column<DateTime>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_JobMetricPoints", x => new { x.JobId, x.Name, x.Step }));
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("JobMetricPoints");
        migrationBuilder.DropTable("JobLogLines");
        migrationBuilder.DropTable("JobEvents");
        migrationBuilder.DropTable("Leases");
        migrationBuilder.DropTable("JobLabels");
        migrationBuilder.DropTable("Jobs");
    }
}
