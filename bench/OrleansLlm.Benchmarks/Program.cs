using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(OrleansLlm.Benchmarks.InProcessConfig).Assembly).Run(args, OrleansLlm.Benchmarks.InProcessConfig.Create());
