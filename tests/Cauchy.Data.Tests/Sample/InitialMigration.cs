using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace Cauchy.Data.Tests.Sample;

/// <summary>
/// A hand-written, provider-neutral migration (see the Cauchy.Data README): no store types (each provider maps the
/// CLR type and max length itself), constraint names as EF's conventions name them, and both providers' annotations
/// on the generated key (each provider ignores the other's).
/// </summary>
[DbContext(typeof(SampleDbContext))]
[Migration("20261122000000_Initial")]
public sealed class InitialMigration : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "Widgets",
            columns: table => new
            {
                Id = table.Column<string>(maxLength: 63, nullable: false),
                Name = table.Column<string>(maxLength: 200, nullable: false),
                Counter = table.Column<int>(nullable: false),
                CreatedAt = table.Column<DateTime>(nullable: false),
                Version = table.Column<long>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_Widgets", x => x.Id));
        migrationBuilder.CreateTable(
            name: "Parts",
            columns: table => new
            {
                Id = table.Column<long>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                WidgetId = table.Column<string>(maxLength: 63, nullable: false),
                Label = table.Column<string>(nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Parts", x => x.Id);
                table.ForeignKey("FK_Parts_Widgets_WidgetId", x => x.WidgetId, "Widgets", "Id", onDelete: ReferentialAction.Restrict);
            });
        migrationBuilder.CreateIndex("IX_Widgets_Name", "Widgets", "Name", unique: true);
        migrationBuilder.CreateIndex("IX_Parts_WidgetId", "Parts", "WidgetId");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("Parts");
        migrationBuilder.DropTable("Widgets");
    }
}
