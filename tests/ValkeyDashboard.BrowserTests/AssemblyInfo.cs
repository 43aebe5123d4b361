using System.Runtime.Versioning;

// The tests start real valkey-server processes, read /proc and drive the system's Chromium: they run on Linux.
[assembly: SupportedOSPlatform("linux")]
