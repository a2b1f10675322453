// RnnGen benchmarks (BenchmarkDotNet); see benchmarks/README.md.
//   model benchmarks, light:   dotnet run -c Release --project benchmarks/RnnGen.Benchmarks -- --filter '*ModelBenchmarks*'
//   all (models + generator):  dotnet run -c Release --project benchmarks/RnnGen.Benchmarks -- --filter '*'
//   with the heavy peers:      dotnet run -c Release --project benchmarks/RnnGen.Benchmarks -p:HeavyPeers=true -- --filter '*'
//   sizes table:               dotnet run -c Release --project benchmarks/RnnGen.Benchmarks -- sizes
//   check every peer:          dotnet run -c Release --project benchmarks/RnnGen.Benchmarks -- check
// Own options, read before BenchmarkDotNet's: --shapes A,D,E (model shapes to run), --quick (3 short iterations).
using System;
using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Perfolizer.Horology;
using RnnGen.Benchmarks;
using RnnGen.Benchmarks.ModelBenchmarks;
using RnnGen.Benchmarks.Models;

var rest = new List<string>();
bool quick = false;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--quick") quick = true;
    else if (args[i] == "--shapes" && i + 1 < args.Length) BenchmarkSettings.Shapes = BenchmarkSettings.ParseShapes(args[++i]);
    else rest.Add(args[i]);
}

if (rest.FirstOrDefault() == "sizes")
{
    Sizes.Print();
    return 0;
}
if (rest.FirstOrDefault() == "check")
    return Check.Run(BenchmarkSettings.Shapes) ? 0 : 1;

#if HEAVY_PEERS
// The projects BenchmarkDotNet builds for its child processes must compile Peers/Heavy too: MSBuild reads
// environment variables as properties, and the child builds inherit this process's environment.
Environment.SetEnvironmentVariable("HeavyPeers", "true");
#endif

// A short job for 2 shared cores: one process per benchmark, 3 warm-up and 7 measured iterations (--quick: 2 and 3,
// 200 ms each). A job given on the command line (--job short, …) replaces it; GeneratorBenchmarks keeps its own
// [SimpleJob] (AsDefault). Ratios are computed per category and shape.
IConfig config = DefaultConfig.Instance.AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams);
if (!rest.Any(a => a is "--job" or "-j" || a.StartsWith("--job=", StringComparison.Ordinal)))
{
    Job job = Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(7);
    if (quick) job = job.WithWarmupCount(2).WithIterationCount(3).WithIterationTime(TimeInterval.FromMilliseconds(200));
    config = config.AddJob(job.AsDefault());
}
BenchmarkSwitcher.FromAssembly(typeof(Check).Assembly).Run(rest.ToArray(), config);
return 0;
