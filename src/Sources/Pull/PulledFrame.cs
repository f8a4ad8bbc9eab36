using Platform.Media.Buffers;
using Platform.Streams.Hub;

namespace Platform.Sources.Pull;

/// <summary>
/// One received message with the remote's timestamp; ownership of <paramref name="payload"/> (one reference)
/// passes to the callee, which writes it into a <c>StreamHub</c> (that releases it). Data messages are the
/// <c>onMetaData</c> body the hub keeps (the <c>onMetaData</c> name, then its values; no <c>@setDataFrame</c>).
/// </summary>
public delegate void PulledFrame(FrameKind kind, uint timestamp, PooledBuffer payload);
