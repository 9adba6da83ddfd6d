using Cauchy.Testing;
using Xunit;

namespace Cauchy.Data.Tests;

/// <summary>One PostgreSQL server for every test class in the collection (collection definitions must live in the test assembly).</summary>
[CollectionDefinition(PostgresFixture.CollectionName)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>;
