using Cauchy.Data;
using Microsoft.EntityFrameworkCore;

namespace Cauchy.Registry.Data;

/// <summary>The registry's own database: models, their labels, versions and metrics.</summary>
public sealed class RegistryDbContext(DbContextOptions<RegistryDbContext> options) : ServiceDbContext(options)
{
    public DbSet<ModelEntity> Models => Set<ModelEntity>();
    public DbSet<ModelLabelEntity> ModelLabels => Set<ModelLabelEntity>();
    public DbSet<ModelVersionEntity> ModelVersions => Set<ModelVersionEntity>();
    public DbSet<MetricEntity> Metrics => Set<MetricEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<ModelEntity>(model =>
        {
            model.ToTable("Models");
            model.HasKey(m => m.Name);
            model.Property(m => m.Name).HasMaxLength(63);
            model.Property(m => m.Architecture).HasMaxLength(200);
            model.HasIndex(m => m.Architecture);
            model.HasMany(m => m.Labels).WithOne().HasForeignKey(l => l.ModelName).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<ModelLabelEntity>(label =>
        {
            label.ToTable("ModelLabels");
            label.HasKey(l => new { l.ModelName, l.Key });
            label.Property(l => l.ModelName).HasMaxLength(63);
            label.Property(l => l.Key).HasMaxLength(317);
            label.Property(l => l.Value).HasMaxLength(63);
            label.HasIndex(l => new { l.Key, l.Value });
        });
        modelBuilder.Entity<ModelVersionEntity>(version =>
        {
            version.ToTable("ModelVersions");
            version.HasKey(v => new { v.ModelName, v.Number });
            version.Property(v => v.ModelName).HasMaxLength(63);
            version.Property(v => v.VersionId).HasMaxLength(40);
            version.Property(v => v.Architecture).HasMaxLength(200);
            version.Property(v => v.LineageJobId).HasMaxLength(200);
            version.Property(v => v.LineageDatasetId).HasMaxLength(63);
            version.Property(v => v.LineageDatasetVersionId).HasMaxLength(200);
            version.Property(v => v.WeightsKey).HasMaxLength(1024);
            version.Property(v => v.WeightsSha256).HasMaxLength(64);
            version.Property(v => v.ModelCardKey).HasMaxLength(1024);
            version.Property(v => v.ModelCardSha256).HasMaxLength(64);
            version.Property(v => v.IdempotencyKey).HasMaxLength(128);
            version.HasIndex(v => v.VersionId).IsUnique();
            version.HasIndex(v => new { v.ModelName, v.IdempotencyKey }).IsUnique();
            version.HasIndex(v => new { v.ModelName, v.Stage });
            version.HasIndex(v => v.LineageJobId);
            version.HasIndex(v => new { v.LineageDatasetId, v.LineageDatasetVersionId });
            version.HasIndex(v => new { v.IsPretrained, v.Architecture });
            version.HasIndex(v => v.WeightsSha256);
            version.HasOne<ModelEntity>().WithMany().HasForeignKey(v => v.ModelName).OnDelete(DeleteBehavior.Restrict);
            version.HasMany(v => v.Metrics).WithOne().HasForeignKey(m => new { m.ModelName, m.VersionNumber }).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<MetricEntity>(metric =>
        {
            metric.ToTable("Metrics");
            metric.HasKey(m => new { m.ModelName, m.VersionNumber, m.Name });
            metric.Property(m => m.ModelName).HasMaxLength(63);
            metric.Property(m => m.Name).HasMaxLength(200);
            metric.HasIndex(m => new { m.Name, m.Value });
        });
    }
}
