using System.Collections.Concurrent;
using Cauchy.Data;

namespace Cauchy.Testing;

/// <summary>
/// Hands out fresh, empty databases on one engine: <see cref="PostgresFixture"/> (a real PostgreSQL server) or
/// <see cref="SqliteFixture"/> (files in a temporary folder). A behaviour test class takes one of these, so the same
/// tests run on both engines.
/// </summary>
public interface ITestDatabaseServer
{
    DatabaseProvider Provider { get; }

    /// <summary>A new empty database whose name starts with <paramref name="name"/> (sanitised, made unique).</summary>
    Task<DatabaseOptions> CreateDatabaseAsync(string name);

    /// <summary>One database per test class: the first call for <paramref name="testClass"/> creates it, later calls return it.</summary>
    Task<DatabaseOptions> DatabaseForAsync(Type testClass);
}

/// <summary>The per-test-class cache both fixtures share.</summary>
public abstract class TestDatabaseServerBase : ITestDatabaseServer
{
    private readonly ConcurrentDictionary<Type, Lazy<Task<DatabaseOptions>>> _perClass = new();
    private int _counter;

    public abstract DatabaseProvider Provider { get; }

    public abstract Task<DatabaseOptions> CreateDatabaseAsync(string name);

    public Task<DatabaseOptions> DatabaseForAsync(Type testClass) =>
        _perClass.GetOrAdd(testClass, type => new Lazy<Task<DatabaseOptions>>(() => CreateDatabaseAsync(type.Name))).Value;

    /// <summary>Lower-case letters, digits and '_' only, at most 40 characters, plus a unique suffix.</summary>
    protected string UniqueName(string name)
    {
        var clean = new string(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
        if (clean.Length > 40)
        {
            clean = clean[..40];
        }
        return $"{clean}_{Interlocked.Increment(ref _counter)}";
    }
}
