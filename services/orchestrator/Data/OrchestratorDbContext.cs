using Cauchy.Data;
using Microsoft.EntityFrameworkCore;

namespace Cauchy.Orchestrator.Data;

/// <summary>The orchestrator's own database: jobs, their labels, leases, events, log lines and metric points.</summary>
public sealed class OrchestratorDbContext(DbContextOptions<OrchestratorDbContext> options) : ServiceDbContext(options)
{
    public DbSet<JobRecord> Jobs => Set<JobRecord>();

    public DbSet<JobLabelRecord> JobLabels => Set<JobLabelRecord>();

    public DbSet<LeaseRecord> Leases => Set<LeaseRecord>();

    public DbSet<JobEventRecord> JobEvents => Set<JobEventRecord>();

    public DbSet<JobLogLineRecord> JobLogLines => Set<JobLogLineRecord>();

    public DbSet<JobMetricPointRecord> JobMetricPoints => Set<JobMetricPointRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var job = modelBuilder.Entity<JobRecord>();
        job.ToTable("Jobs");
        job.HasKey(j => j.Id);
        job.Property(j => j.Id).HasMaxLength(64);
        job.Property(j => j.IdempotencyKey).HasMaxLength(128);
        job.Property(j => j.LeaseId).HasMaxLength(64);
        job.HasIndex(j => new { j.State, j.Priority, j.CreatedAt });
        job.HasIndex(j => new { j.CreatedAt, j.Id });
        job.HasIndex(j => j.IdempotencyKey).IsUnique();
        job.HasIndex(j => j.LeaseId).IsUnique();
        job.HasIndex(j => j.DatasetId);

        var label = modelBuilder.Entity<JobLabelRecord>();
        label.ToTable("JobLabels");
        label.HasKey(l => new { l.JobId, l.Key });
        label.Property(l => l.JobId).HasMaxLength(64);
        label.HasIndex(l => new { l.Key, l.Value });

        var lease = modelBuilder.Entity<LeaseRecord>();
        lease.ToTable("Leases");
        lease.HasKey(l => l.Id);
        lease.Property(l => l.Id).HasMaxLength(64);
        lease.Property(l => l.JobId).HasMaxLength(64);
        lease.HasIndex(l => l.JobId);

        var jobEvent = modelBuilder.Entity<JobEventRecord>();
        jobEvent.ToTable("JobEvents");
        jobEvent.HasKey(e => new { e.JobId, e.Sequence });
        jobEvent.Property(e => e.JobId).HasMaxLength(64);

        var line = modelBuilder.Entity<JobLogLineRecord>();
        line.ToTable("JobLogLines");
        line.HasKey(l => new { l.JobId, l.Sequence });
        line.Property(l => l.JobId).HasMaxLength(64);

        var point = modelBuilder.Entity<JobMetricPointRecord>();
        point.ToTable("JobMetricPoints");
        point.HasKey(p => new { p.JobId, p.Name, p.Step });
        point.Property(p => p.JobId).HasMaxLength(64);
        point.Property(p => p.Name).HasMaxLength(200);
    }
}
