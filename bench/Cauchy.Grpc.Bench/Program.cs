using Cauchy.Grpc.Bench;

// make bench-grpc: see BenchRunner for what is measured and docs/benchmarks.md for results.
//   Cauchy.Grpc.Bench [--seconds S] [--callers N] [--rounds R]   run the benchmark
//   Cauchy.Grpc.Bench serve                                       host the bench service (child process)
return args is ["serve", ..]
    ? await BenchServer.RunAsync()
    : await BenchRunner.RunAsync(BenchOptions.Parse(args));
