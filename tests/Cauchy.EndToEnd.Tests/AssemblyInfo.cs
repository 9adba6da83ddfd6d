using Xunit;

// Every collection runs a platform of its own (five service processes and a trainer training on the CPU); on a small
// build machine two at once would only slow each other down and blur the timings the tests wait on.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
