using Cauchy.Data;
using Microsoft.EntityFrameworkCore;

namespace Cauchy.Metrics.Data;

/// <summary>The metrics service's own database: evaluations. Evaluations are immutable, so no concurrency token.</summary>
public sealed class MetricsDbContext(DbContextOptions<MetricsDbContext> options) : ServiceDbContext(options)
{
    public DbSet<EvaluationEntity> Evaluations => Set<EvaluationEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var evaluation = modelBuilder.Entity<EvaluationEntity>();
        evaluation.ToTable("Evaluations");
        evaluation.HasKey(e => e.Id);
        evaluation.Property(e => e.Id).HasMaxLength(64);
        evaluation.Property(e => e.JobId).HasMaxLength(128);
        evaluation.Property(e => e.ModelName).HasMaxLength(200);
        evaluation.Property(e => e.DatasetId).HasMaxLength(128);
        evaluation.Property(e => e.DatasetVersionId).HasMaxLength(128);
        evaluation.HasIndex(e => new { e.CreatedAt, e.Id });
        evaluation.HasIndex(e => e.JobId);
        evaluation.HasIndex(e => new { e.ModelName, e.ModelVersion });
        evaluation.HasIndex(e => new { e.DatasetId, e.DatasetVersionId });
    }
}
