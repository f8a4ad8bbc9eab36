namespace Platform.Ingest;
internal static class AssemblyMarker { }
