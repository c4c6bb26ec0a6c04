using BenchmarkDotNet.Running;

// Micro-benchmarks of the kernels: `dotnet run -c Release --project benchmarks/Recurrent.Benchmarks -- --filter '*'`.
// Whole-model throughput is measured by `recurrent bench`, which runs the real training loop.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
