using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Pki.Benchmarks;

// The commands below measure whole runs by wall time; anything else goes to BenchmarkDotNet
// (every benchmark class here, e.g. --filter '*Jws*').
// `acme-e2e [N]`: end-to-end issuance against a local Pebble.
if (args.Length > 0 && args[0] == "acme-e2e")
{
    return await AcmeEndToEnd.RunAsync(args);
}

// `acme-server-e2e [N] [--only pebble|sqlite|sqlite-normal|postgres]`: the same client workload against Pebble and the in-process Pki.Acme.Server, one table.
if (args.Length > 0 && args[0] == "acme-server-e2e")
{
    return await AcmeServerEndToEnd.RunAsync(args);
}

// `drill [--certs N] [--window-seconds S]`: the mass-renewal drill against the in-process Pki.Acme.Server.
if (args.Length > 0 && args[0] == "drill")
{
    return await RenewalDrill.RunAsync(args);
}

// `chaos [--minutes N]`: two certificate managers, one store, three faulty Pebbles (issue #11's soak).
if (args.Length > 0 && args[0] == "chaos")
{
    return await ChaosCommand.RunAsync(args);
}

// The generated benchmark project rebuilds every library; on a 2-core machine that can pass
// BenchmarkDotNet's default two-minute build timeout.
var config = ManualConfig.Create(DefaultConfig.Instance).WithBuildTimeout(TimeSpan.FromMinutes(10));
BenchmarkSwitcher.FromAssembly(typeof(AcmeJwsBenchmarks).Assembly).Run(args, config);
return 0;
