// RnnGen benchmarks (BenchmarkDotNet). Run all:  dotnet run -c Release --project benchmarks/RnnGen.Benchmarks -- --filter '*'
using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "literal") { RnnGen.Benchmarks.LiteralExperiment.Run(); return; }
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
