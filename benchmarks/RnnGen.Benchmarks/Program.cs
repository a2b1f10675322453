// RnnGen benchmarks (BenchmarkDotNet). Run all:  dotnet run -c Release --project benchmarks/RnnGen.Benchmarks -- --filter '*'
using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
