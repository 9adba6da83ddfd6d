using Xunit;

// The scenarios kill, stop and fill the processes of one shared platform; two at once would test each other's faults.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
