namespace Platform.Api.Hosting;

/// <summary>Registry key of the stream entities' shard region.</summary>
public sealed class StreamRegion;
