namespace Platform.Streams.Security;

/// <summary>The <c>Security</c> configuration section: built-in stream protection, no hook server needed.</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>Rules per vhost/app/stream pattern; the first that matches a stream protects it. Empty: nothing is protected.</summary>
    public List<SecurityRule> Rules { get; set; } = [];
}

/// <summary>
/// One rule of <c>Security:Rules</c>: which streams it covers (vhost, app and stream-name patterns with
/// <c>*</c> and <c>?</c>) and what a client must show to publish, play or connect.
/// </summary>
public sealed class SecurityRule
{
    /// <summary>A pattern; <c>default</c> is the default vhost (clients that name none).</summary>
    public string Vhost { get; set; } = "*";

    public string App { get; set; } = "*";

    public string Stream { get; set; } = "*";

    /// <summary>When set, publishing needs a signed URL made with this secret (or one of <see cref="PublishKeys"/>).</summary>
    public string? PublishSecret { get; set; }

    /// <summary>When set, playing (RTMP, HTTP-FLV, HLS) needs a signed URL made with this secret.</summary>
    public string? PlaySecret { get; set; }

    /// <summary>Static keys: publishing needs <c>?key=K</c> with one of them (or a token, when a secret is set too).</summary>
    public List<string> PublishKeys { get; set; } = [];

    /// <summary>Ordered <c>allow ADDRESS</c>/<c>deny ADDRESS</c> entries for publishers; the first that covers a client decides.</summary>
    public List<string> PublishAccess { get; set; } = [];

    /// <summary>The same for players.</summary>
    public List<string> PlayAccess { get; set; } = [];

    /// <summary>The same for RTMP <c>connect</c> (only rules whose <see cref="Stream"/> is <c>*</c>: no stream is named yet).</summary>
    public List<string> ConnectAccess { get; set; } = [];
}
