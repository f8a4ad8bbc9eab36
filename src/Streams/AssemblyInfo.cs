namespace Platform.Streams;
internal static class AssemblyMarker { }
