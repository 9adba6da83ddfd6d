using Cauchy.Data;
using Microsoft.EntityFrameworkCore;

namespace Cauchy.Orchestrator.Data;

/// <summary>The orchestrator's own database: jobs, their labels, leases, events, log lines and metric points, its own heartbeat, and the platform tokens.</summary>
public sealed class OrchestratorDbContext(DbContextOptions<OrchestratorDbContext> options) : ServiceDbContext(options)
{
    public DbSet<JobEntity> Jobs => Set<JobEntity>();

    public DbSet<JobLabelEntity> JobLabels => Set<JobLabelEntity>();

    public DbSet<LeaseEntity> Leases => Set<LeaseEntity>();

    public DbSet<JobEventEntity> JobEvents => Set<JobEventEntity>();

    public DbSet<JobLogLineEntity> JobLogLines => Set<JobLogLineEntity>();

    public DbSet<JobMetricPointEntity> JobMetricPoints => Set<JobMetricPointEntity>();

    public DbSet<OrchestratorHeartbeatEntity> OrchestratorHeartbeats => Set<OrchestratorHeartbeatEntity>();

    public DbSet<ApiTokenEntity> ApiTokens => Set<ApiTokenEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var job = modelBuilder.Entity<JobEntity>();
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

        var label = modelBuilder.Entity<JobLabelEntity>();
        label.ToTable("JobLabels");
        label.HasKey(l => new { l.JobId, l.Key });
        label.Property(l => l.JobId).HasMaxLength(64);
        label.HasIndex(l => new { l.Key, l.Value });

        var lease = modelBuilder.Entity<LeaseEntity>();
        lease.ToTable("Leases");
        lease.HasKey(l => l.Id);
        lease.Property(l => l.Id).HasMaxLength(64);
        lease.Property(l => l.JobId).HasMaxLength(64);
        lease.HasIndex(l => l.JobId);

        var jobEvent = modelBuilder.Entity<JobEventEntity>();
        jobEvent.ToTable("JobEvents");
        jobEvent.HasKey(e => new { e.JobId, e.Sequence });
        jobEvent.Property(e => e.JobId).HasMaxLength(64);

        var line = modelBuilder.Entity<JobLogLineEntity>();
        line.ToTable("JobLogLines");
        line.HasKey(l => new { l.JobId, l.Sequence });
        line.Property(l => l.JobId).HasMaxLength(64);

        var point = modelBuilder.Entity<JobMetricPointEntity>();
        point.ToTable("JobMetricPoints");
        point.HasKey(p => new { p.JobId, p.Name, p.Step });
        point.Property(p => p.JobId).HasMaxLength(64);
        point.Property(p => p.Name).HasMaxLength(200);

        var heartbeat = modelBuilder.Entity<OrchestratorHeartbeatEntity>();
        heartbeat.ToTable("OrchestratorHeartbeats");
        heartbeat.HasKey(h => h.Id);
        heartbeat.Property(h => h.Id).HasMaxLength(64);

        var token = modelBuilder.Entity<ApiTokenEntity>();
        token.ToTable("ApiTokens");
        token.HasKey(t => t.Id);
        token.Property(t => t.Id).HasMaxLength(64);
        token.Property(t => t.Name).HasMaxLength(100);
        token.Property(t => t.Role).HasMaxLength(20);
        token.Property(t => t.SecretHash).HasMaxLength(32);
        token.HasIndex(t => t.SecretHash).IsUnique();
    }
}
