using Pki.TestSupport;

namespace Pki.Caa.Tests;

/// <summary>The zones under Zones/, for knotd and for <see cref="InMemoryCaaResolver"/> alike.</summary>
internal static class TestZones
{
    public static readonly string[] Names = ["test", "example.test", "other.test", "2.0.192.in-addr.arpa"];

    public const string ServerFailureZone = "servfail.test";

    public static string Read(string zone) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Zones", zone + ".zone"));

    public static IReadOnlyList<KnotZone> ForKnot() => [.. Names.Select(n => new KnotZone(n, Read(n))), new KnotZone(ServerFailureZone, null)];

    public static InMemoryCaaResolver InMemory() => new([.. Names.Select(n => CaaZone.Parse(Read(n))), CaaZone.ServerFailure(ServerFailureZone)]);
}
