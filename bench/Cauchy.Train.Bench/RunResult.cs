namespace Cauchy.Train.Bench;

/// <summary>One side's timed steps: wall-clock throughput, and the process's CPU seconds per image (all threads).</summary>
/// <remarks>
/// CPU time per image moves less than images/s when other processes share the machine: time spent waiting for a core
/// counts in the wall clock but not in CPU time.
/// </remarks>
internal readonly record struct RunResult(double ImagesPerSecond, double CpuSecondsPerImage);
