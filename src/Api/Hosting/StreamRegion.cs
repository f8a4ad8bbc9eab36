namespace Platform.Api.Hosting;

/// <summary>Registry key of the stream entities' shard region.</summary>
public sealed class StreamRegion;

/// <summary>Registry key of the node's recording catalog.</summary>
public sealed class DvrCatalog;
