using Xunit;

// Each collection starts a whole platform (five processes); on a small build machine they must not start at once.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
