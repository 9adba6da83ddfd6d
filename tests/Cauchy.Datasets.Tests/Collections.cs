using Cauchy.Testing;

namespace Cauchy.Datasets.Tests;

/// <summary>One PostgreSQL server for every test class of this assembly that runs on PostgreSQL.</summary>
[CollectionDefinition(PostgresFixture.CollectionName)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>;
