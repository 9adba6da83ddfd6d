namespace Cauchy.Data;

/// <summary>
/// An entity with optimistic concurrency: <see cref="ServiceDbContext"/> makes <see cref="Version"/> a concurrency
/// token and increments it on every update, so an UPDATE carries "WHERE Version = &lt;the version read&gt;" and a row
/// changed by someone else in between makes SaveChanges throw <see cref="Microsoft.EntityFrameworkCore.DbUpdateConcurrencyException"/>.
/// An application-managed column works the same on SQLite and PostgreSQL (PostgreSQL's xmin has no SQLite twin).
/// </summary>
public interface IVersioned
{
    long Version { get; set; }
}
