using System.Runtime.Versioning;

// The tests start real valkey-server processes and read /proc: they run on Linux.
[assembly: SupportedOSPlatform("linux")]
