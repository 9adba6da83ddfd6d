using Microsoft.EntityFrameworkCore;

namespace Cauchy.Data.Tests.Sample;

public sealed class SampleDbContext(DbContextOptions<SampleDbContext> options) : ServiceDbContext(options)
{
    public DbSet<Widget> Widgets => Set<Widget>();
    public DbSet<Part> Parts => Set<Part>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<Widget>(widget =>
        {
            widget.ToTable("Widgets");
            widget.Property(w => w.Id).HasMaxLength(63);
            widget.Property(w => w.Name).HasMaxLength(200);
            widget.HasIndex(w => w.Name).IsUnique();
            widget.HasMany(w => w.Parts).WithOne().HasForeignKey(p => p.WidgetId).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<Part>(part =>
        {
            part.ToTable("Parts");
            part.Property(p => p.WidgetId).HasMaxLength(63);
        });
    }
}
