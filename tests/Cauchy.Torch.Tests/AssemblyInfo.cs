// libtorch's generator and thread count are process-wide, and the memory test reads the process RSS:
// tests running side by side would disturb each other's seeds and measurements.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
