namespace Platform.Api.Hooks;

/// <summary>
/// SRS-compatible HTTP callbacks (the <c>Hooks</c> section): which URLs hear of which event, per
/// vhost/app rule, and how calls are bounded. Reloaded without restart; new connections use new values.
/// </summary>
public sealed class HooksOptions
{
    public const string Section = "Hooks";

    /// <summary>How long one call may take (connect, send, answer); past it the call has failed.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many more times a notification (on_close, on_unpublish, on_stop, on_dvr, on_hls) is sent after a failed attempt.</summary>
    public int Retries { get; set; } = 3;

    /// <summary>Wait before the first retry of a notification; doubled at each further retry (at most 30 s).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Notifications waiting to be sent; when full, the oldest is dropped (with a warning).</summary>
    public int QueueCapacity { get; set; } = 10000;

    /// <summary>Notifications being sent at once.</summary>
    public int Concurrency { get; set; } = 32;

    /// <summary>Rules per vhost/app pattern; the first that matches a stream decides its hooks.</summary>
    public List<HookRule> Rules { get; set; } = [];
}

/// <summary>
/// The hooks of the streams whose vhost and app match the patterns (<c>*</c>, <c>?</c>; vhost <c>default</c>
/// is SRS's <c>__defaultVhost__</c>). Each event takes any number of URLs, called in order.
/// </summary>
public sealed class HookRule
{
    public string Vhost { get; set; } = "*";

    public string App { get; set; } = "*";

    /// <summary>A disabled rule calls nothing for the streams it matches (later rules are not consulted).</summary>
    public bool Enabled { get; set; } = true;

    public List<string> OnConnect { get; set; } = [];

    public List<string> OnClose { get; set; } = [];

    public List<string> OnPublish { get; set; } = [];

    public List<string> OnUnpublish { get; set; } = [];

    public List<string> OnPlay { get; set; } = [];

    public List<string> OnStop { get; set; } = [];

    public List<string> OnDvr { get; set; } = [];

    public List<string> OnHls { get; set; } = [];

    public List<string> UrlsFor(HookAction action) => action switch
    {
        HookAction.OnConnect => OnConnect,
        HookAction.OnClose => OnClose,
        HookAction.OnPublish => OnPublish,
        HookAction.OnUnpublish => OnUnpublish,
        HookAction.OnPlay => OnPlay,
        HookAction.OnStop => OnStop,
        HookAction.OnDvr => OnDvr,
        HookAction.OnHls => OnHls,
        _ => [],
    };
}

/// <summary>The events SRS calls hooks for; the first three are decisions, the rest notifications.</summary>
public enum HookAction
{
    OnConnect,
    OnClose,
    OnPublish,
    OnUnpublish,
    OnPlay,
    OnStop,
    OnDvr,
    OnHls,
}

public static class HookActions
{
    public static readonly HookAction[] All = Enum.GetValues<HookAction>();

    /// <summary>SRS's <c>action</c> value, e.g. <c>on_publish</c>.</summary>
    public static string SrsName(this HookAction action) => action switch
    {
        HookAction.OnConnect => "on_connect",
        HookAction.OnClose => "on_close",
        HookAction.OnPublish => "on_publish",
        HookAction.OnUnpublish => "on_unpublish",
        HookAction.OnPlay => "on_play",
        HookAction.OnStop => "on_stop",
        HookAction.OnDvr => "on_dvr",
        HookAction.OnHls => "on_hls",
        _ => action.ToString(),
    };

    /// <summary>The configuration key of the event's URL list, e.g. <c>OnPublish</c>.</summary>
    public static string Key(this HookAction action) => action.ToString();

    public static bool IsDecision(this HookAction action) => action is HookAction.OnConnect or HookAction.OnPublish or HookAction.OnPlay;
}
