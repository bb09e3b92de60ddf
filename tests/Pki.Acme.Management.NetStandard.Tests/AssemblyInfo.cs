// The suites run on Linux (Pebble, knotd and Unix file modes are part of what they check).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
