namespace Platform.Sources;

internal static class AssemblyMarker { }
