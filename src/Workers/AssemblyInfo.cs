namespace Platform.Workers;

internal static class AssemblyMarker { }
