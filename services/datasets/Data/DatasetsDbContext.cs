using Cauchy.Data;
using Microsoft.EntityFrameworkCore;

namespace Cauchy.Datasets.Data;

/// <summary>The datasets service's own database: datasets and their versions' rows (see <see cref="VersionEntity"/>).</summary>
public sealed class DatasetsDbContext(DbContextOptions<DatasetsDbContext> options) : ServiceDbContext(options)
{
    public DbSet<DatasetEntity> Datasets => Set<DatasetEntity>();

    public DbSet<VersionEntity> Versions => Set<VersionEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<DatasetEntity>(dataset =>
        {
            dataset.ToTable("Datasets");
            dataset.Property(d => d.Id).HasMaxLength(63);
        });
        modelBuilder.Entity<VersionEntity>(version =>
        {
            // No foreign key to Datasets: a deleted dataset's Deleting rows outlive it until their objects are gone.
            version.ToTable("Versions");
            version.HasKey(v => v.ImportId);
            version.Property(v => v.ImportId).HasMaxLength(32);
            version.Property(v => v.DatasetId).HasMaxLength(63);
            version.Property(v => v.VersionId).HasMaxLength(64);
            version.Property(v => v.ObjectPrefix).HasMaxLength(300);
            version.HasIndex(v => new { v.DatasetId, v.VersionId }).IsUnique();
            version.HasIndex(v => new { v.DatasetId, v.State, v.CreateTime });
            version.HasIndex(v => v.ObjectPrefix);
        });
    }
}
