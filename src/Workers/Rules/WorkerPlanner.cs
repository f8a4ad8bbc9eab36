using Platform.Streams;
using Platform.Streams.Access;

namespace Platform.Workers.Rules;

/// <summary>The HLS settings a stream gets, resolved from its rule.</summary>
public sealed record HlsSettings(TimeSpan Fragment, TimeSpan Window, bool Deterministic, string Root, string TsFile, TimeSpan CleanupAfter);

/// <summary>The DVR settings a stream gets, resolved from its rule.</summary>
public sealed record DvrSettings(Dvr.DvrPlan Plan, TimeSpan SegmentDuration, string Root, string File);

/// <summary>One engine a stream runs: its rendition's name and descent, and the rule's settings.</summary>
public sealed record EngineSettings(string Name, StreamKey Source, StreamKey Output, IReadOnlyList<LineageStep> OutputLineage, EngineRule Rule)
{
    /// <summary>The rule's <see cref="AppRule.EngineBackend"/>: asked whether this engine runs for this stream; null: it runs.</summary>
    public string? Backend { get; init; }
}

/// <summary>An engine of the stream's rule, or why it does not run.</summary>
public sealed record EnginePlan(string Name, EngineSettings? Settings, string Reason)
{
    /// <summary>The name of the stream worker that runs it.</summary>
    public string WorkerName => WorkerPlanner.EngineWorkerPrefix + Name;
}

/// <summary>What runs for one stream and, for what does not, why (logged at start and shown by the API).</summary>
public sealed record WorkerPlan(HlsSettings? Hls, string HlsReason, DvrSettings? Dvr = null, string DvrReason = "")
{
    public IReadOnlyList<EnginePlan> Engines { get; init; } = [];

    /// <summary>The rule's forwards (<c>forward-0</c>, ..., <c>forward-backend</c>).</summary>
    public IReadOnlyList<Forward.ForwardPlan> Forwards { get; init; } = [];
}

/// <summary>
/// Pure decisions: which rule covers a stream and what it runs. Folders that cannot be written are found
/// at start-up (<see cref="UnwritableFolders"/>) and passed in, so a stream on such a folder is told why.
/// </summary>
public sealed partial class WorkerPlanner
{
    private readonly IReadOnlyList<AppRule> _rules;
    private readonly string _storageRoot;
    private readonly IReadOnlyDictionary<string, string> _unwritable;

    public WorkerPlanner(IReadOnlyList<AppRule> rules, string storageRoot, IReadOnlyDictionary<string, string>? unwritable = null)
    {
        _rules = rules;
        _storageRoot = storageRoot;
        _unwritable = unwritable ?? new Dictionary<string, string>();
    }

    /// <summary>DVR settings for a recording an operator starts: the rule's, even if it has recording off.</summary>
    public (DvrSettings? Settings, string Reason) PlanDvrOnDemand(StreamKey stream, IReadOnlyList<LineageStep>? lineage = null)
    {
        var index = FindRule(stream, lineage);
        if (index < 0)
        {
            return (null, $"no rule in Apps matches {stream.App}/{stream.Stream} on vhost {stream.Vhost}");
        }

        var rule = _rules[index];
        return rule.Enabled ? PlanDvr(rule.Dvr, $"Apps:{index}", force: true) : (null, $"app disabled by Apps:{index}:Enabled");
    }

    /// <summary>Workers of engines are named with this before the engine's name (<c>engine-480p</c>).</summary>
    public const string EngineWorkerPrefix = "engine-";

    /// <summary>A rendition's descent may be at most this deep (an engine on a rendition of a rendition...).</summary>
    public const int MaxLineage = 4;

    /// <param name="lineage">How the stream was made, oldest step first: empty for a stream published from outside.</param>
    public WorkerPlan Plan(StreamKey stream, IReadOnlyList<LineageStep>? lineage = null)
    {
        lineage ??= [];
        var index = FindRule(stream, lineage);
        if (index < 0)
        {
            var none = $"no rule in Apps matches {stream.App}/{stream.Stream} on vhost {stream.Vhost}";
            return new WorkerPlan(null, none, null, none);
        }

        var rule = _rules[index];
        var key = $"Apps:{index}";
        if (!rule.Enabled)
        {
            return new WorkerPlan(null, $"app disabled by {key}:Enabled", null, $"app disabled by {key}:Enabled");
        }

        var (hls, hlsReason) = PlanHls(rule.Hls, key);
        var (dvr, dvrReason) = PlanDvr(rule.Dvr, key);
        return new WorkerPlan(hls, hlsReason, dvr, dvrReason) { Engines = PlanEngines(rule, key, stream, lineage), Forwards = PlanForwards(rule, key, stream, lineage) };
    }

    /// <summary>The engine an operator starts on a live stream: the one its rule names, under the same loop checks.</summary>
    public EnginePlan PlanEngineOnDemand(StreamKey stream, IReadOnlyList<LineageStep>? lineage, string name)
    {
        lineage ??= [];
        var index = FindRule(stream, lineage);
        if (index < 0)
        {
            return new EnginePlan(name, null, $"no rule in Apps matches {stream.App}/{stream.Stream} on vhost {stream.Vhost}");
        }

        var rule = _rules[index];
        if (!rule.Enabled)
        {
            return new EnginePlan(name, null, $"app disabled by Apps:{index}:Enabled");
        }

        var engine = rule.Engines.FindIndex(e => e.Name == name);
        return engine < 0
            ? new EnginePlan(name, null, $"Apps:{index} has no engine named {name}")
            : PlanEngine(rule.Engines[engine], $"Apps:{index}:Engines:{engine}", stream, lineage, force: true); // an operator's start is not put to the backend
    }

    /// <summary>Workers of forwards are named with this before the forward's name (<c>forward-0</c>, <c>forward-backend</c>).</summary>
    public const string ForwardWorkerPrefix = "forward-";

    /// <summary>The forward an operator starts on a live stream (even if its rule has forwarding off, not if its app is disabled).</summary>
    public Forward.ForwardPlan PlanForwardOnDemand(StreamKey stream, IReadOnlyList<LineageStep>? lineage, string name)
    {
        lineage ??= [];
        var index = FindRule(stream, lineage);
        return index < 0 ? new Forward.ForwardPlan(name, null, $"no rule in Apps matches {stream.App}/{stream.Stream} on vhost {stream.Vhost}")
            : !_rules[index].Enabled ? new Forward.ForwardPlan(name, null, $"app disabled by Apps:{index}:Enabled")
            : Forward.ForwardPlanning.PlanOne(_rules[index].Forward, $"Apps:{index}", stream, lineage, name);
    }

    /// <summary>Forwards push whatever stream the rule covers, sources and renditions alike.</summary>
    private static List<Forward.ForwardPlan> PlanForwards(AppRule rule, string key, StreamKey stream, IReadOnlyList<LineageStep> lineage) =>
        Forward.ForwardPlanning.Plan(rule.Forward, key, stream, lineage);

    private List<EnginePlan> PlanEngines(AppRule rule, string key, StreamKey stream, IReadOnlyList<LineageStep> lineage)
    {
        // A rendition is transcoded again only by a rule written for renditions (one that sets Engine).
        if (lineage.Count > 0 && rule.Engine is null)
        {
            return [];
        }

        var plans = new List<EnginePlan>();
        for (var i = 0; i < rule.Engines.Count; i++)
        {
            var plan = PlanEngine(rule.Engines[i], $"{key}:Engines:{i}", stream, lineage, force: false);
            plans.Add(plan.Settings is not null && !string.IsNullOrWhiteSpace(rule.EngineBackend)
                ? plan with { Settings = plan.Settings with { Backend = rule.EngineBackend.Trim() }, Reason = plan.Reason + $", if {key}:EngineBackend chooses it" }
                : plan);
        }

        return plans;
    }

    private static EnginePlan PlanEngine(EngineRule engine, string key, StreamKey stream, IReadOnlyList<LineageStep> lineage, bool force)
    {
        if (!engine.Enabled && !force)
        {
            return new EnginePlan(engine.Name, null, $"engine disabled by {key}:Enabled");
        }

        var output = EngineOutput(engine, stream, out var problem);
        if (output is null)
        {
            return new EnginePlan(engine.Name, null, $"{key}:Output {problem}");
        }

        var refusal = LoopRefusal(engine.Name, stream, output.Value, lineage);
        if (refusal is not null)
        {
            return new EnginePlan(engine.Name, null, $"refused by {key}: {refusal}");
        }

        List<LineageStep> descent = [.. lineage, new LineageStep(stream, engine.Name)];
        return new EnginePlan(engine.Name, new EngineSettings(engine.Name, stream, output.Value, descent, engine), $"engine {engine.Name} by {key} publishes {output.Value}");
    }

    /// <summary>
    /// Why an engine must not run on a stream, judged by the stream's descent and never by its name's text:
    /// the engine already made one of the stream's ancestors, its output is the stream or one of them, or the
    /// chain is too deep. Null when it may run.
    /// </summary>
    public static string? LoopRefusal(string engine, StreamKey stream, StreamKey output, IReadOnlyList<LineageStep> lineage)
    {
        if (output == stream)
        {
            return $"its output {output} is its own source (loop)";
        }

        if (lineage.Any(s => s.Source == output))
        {
            return $"its output {output} is a stream {stream} descends from (loop)";
        }

        if (lineage.Any(s => s.Engine == engine))
        {
            return $"{stream} was made by engine {engine} already (loop)";
        }

        return lineage.Count >= MaxLineage ? $"{stream} is a rendition {lineage.Count} engines deep (at most {MaxLineage})" : null;
    }

    /// <summary>The rendition's stream from the engine's output template, or null and why it is not a valid name.</summary>
    public static StreamKey? EngineOutput(EngineRule engine, StreamKey source, out string? problem)
    {
        // One pass: a name that holds a variable's text (cam[engine]) is not substituted again.
        var text = OutputVariable().Replace(engine.Output, m => m.Groups[1].Value switch
        {
            "vhost" => source.Vhost,
            "app" => source.App,
            "stream" => source.Stream,
            _ => engine.Name,
        });
        text = text.TrimStart('/');
        if (text.EndsWith('/'))
        {
            problem = $"'{engine.Output}' gives '{Platform.Streams.Security.LogText.Printable(text)}', not a valid stream name";
            return null;
        }

        var slash = text.LastIndexOf('/');
        var app = slash < 0 ? source.App : text[..slash];
        var name = slash < 0 ? text : text[(slash + 1)..];
        if (!StreamKey.IsValidName(name) || !app.Split('/').All(StreamKey.IsValidName))
        {
            problem = $"'{engine.Output}' gives '{Platform.Streams.Security.LogText.Printable(text)}', not a valid stream name";
            return null;
        }

        problem = null;
        return new StreamKey(source.Vhost, app, name);
    }

    /// <summary>The wait for a publisher the stream's rule sets for a player (FLV-specific first), or null.</summary>
    /// <summary>The upstream origins of the stream's app (its rule's <see cref="AppRule.Origins"/>); empty when none.</summary>
    public IReadOnlyList<string> OriginsOf(StreamKey stream)
    {
        var index = FindRule(stream);
        return index < 0 ? [] : _rules[index].Origins;
    }

    public TimeSpan? PlayWait(StreamKey stream, bool flv)
    {
        var index = FindRule(stream);
        if (index < 0)
        {
            return null;
        }

        var rule = _rules[index];
        return (flv ? rule.FlvPlayWaitTimeout : null) ?? rule.PlayWaitTimeout;
    }

    /// <summary>
    /// HLS as a vhost reports it (SRS reports HLS per vhost): the settings of the first rule that covers the
    /// vhost, whatever its app and stream patterns.
    /// </summary>
    public (bool Enabled, TimeSpan Fragment) HlsOfVhost(string vhost)
    {
        foreach (var rule in _rules)
        {
            if (VhostMatches(rule, vhost))
            {
                return (rule.Enabled && rule.Hls.Enabled, rule.Hls.Fragment);
            }
        }

        return (false, TimeSpan.Zero);
    }

    private (HlsSettings?, string) PlanHls(HlsRule hls, string key)
    {
        if (!hls.Enabled)
        {
            return (null, $"HLS disabled by {key}:Hls:Enabled");
        }

        var root = FolderOf(hls.Path);
        return _unwritable.TryGetValue(root, out var problem)
            ? (null, $"{key}:Hls:Path {root} cannot be written: {problem}")
            : (new HlsSettings(hls.Fragment, hls.Window, hls.Deterministic, root, hls.TsFile, hls.CleanupAfter), $"HLS by {key} into {root}");
    }

    private (DvrSettings?, string) PlanDvr(DvrRule dvr, string key, bool force = false)
    {
        if (!dvr.Enabled && !force)
        {
            return (null, $"DVR not enabled for this stream ({key}:Dvr:Enabled is false)");
        }

        var root = FolderOf(dvr.Path);
        return _unwritable.TryGetValue(root, out var problem)
            ? (null, $"{key}:Dvr:Path {root} cannot be written: {problem}")
            : (new DvrSettings(dvr.Plan, dvr.SegmentDuration, root, dvr.File), $"DVR ({dvr.Plan}) by {key} into {root}");
    }

    /// <summary>Every configured folder that cannot be created or written, with the key that holds it.</summary>
    public static IReadOnlyList<(string Key, string Folder, string Problem)> UnwritableFolders(IReadOnlyList<AppRule> rules, string storageRoot)
    {
        var problems = new List<(string, string, string)>();
        var folders = new List<(string Key, string Path)>();
        for (var i = 0; i < rules.Count; i++)
        {
            if (rules[i].Enabled && rules[i].Hls.Enabled)
            {
                folders.Add(($"Apps:{i}:Hls:Path", rules[i].Hls.Path));
            }

            if (rules[i].Enabled && rules[i].Dvr.Enabled)
            {
                folders.Add(($"Apps:{i}:Dvr:Path", rules[i].Dvr.Path));
            }
        }

        foreach (var (key, path) in folders)
        {
            var folder = System.IO.Path.GetFullPath(path, System.IO.Path.GetFullPath(storageRoot));
            try
            {
                Directory.CreateDirectory(folder);
                var probe = System.IO.Path.Combine(folder, ".write-probe");
                File.WriteAllBytes(probe, []);
                File.Delete(probe);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                problems.Add((key, folder, ex.Message));
            }
        }

        return problems;
    }

    /// <summary>
    /// The DVR folders of the enabled rules, where recordings (by rule or started by an operator) are written:
    /// the folders to finish leftovers in at start-up.
    /// </summary>
    public IReadOnlyList<string> DvrFolders() =>
        _rules.Where(r => r.Enabled).Select(r => FolderOf(r.Dvr.Path)).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// The stream a recording file was made for, read back from its name: the first enabled rule whose DVR
    /// folder and file template could have produced <paramref name="path"/>, and that covers the stream the name
    /// gives. A variable missing from the template is taken from the rule when its pattern is a plain name (the
    /// default vhost for the vhost). Null when no rule fits.
    /// </summary>
    public StreamKey? RecordingStream(string path)
    {
        for (var i = 0; i < _rules.Count; i++)
        {
            var rule = _rules[i];
            if (!rule.Enabled || !Dvr.DvrPathTemplate.TryMatch(rule.Dvr.File, FolderOf(rule.Dvr.Path), path, out var vhost, out var app, out var stream))
            {
                continue;
            }

            vhost ??= IsPlainName(rule.Vhost) && rule.Vhost != "default" ? rule.Vhost : StreamKey.DefaultVhost;
            app ??= IsPlainName(rule.App) ? rule.App : null;
            stream ??= IsPlainName(rule.Stream) ? rule.Stream : null;
            if (app is not null && stream is not null && FindRule(new StreamKey(vhost, app, stream), anyEngine: true) == i)
            {
                return new StreamKey(vhost, app, stream);
            }
        }

        return null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\[(vhost|app|stream|engine)\]")]
    private static partial System.Text.RegularExpressions.Regex OutputVariable();

    private static bool IsPlainName(string pattern) => pattern.IndexOfAny(['*', '?']) < 0;

    private string FolderOf(string path) => System.IO.Path.GetFullPath(path, System.IO.Path.GetFullPath(_storageRoot));

    private static bool VhostMatches(AppRule rule, string vhost) =>
        rule.Vhost == "*" || Glob.Matches(rule.Vhost, vhost) || (rule.Vhost == "default" && vhost == StreamKey.DefaultVhost);

    /// <param name="anyEngine">Rules for renditions match too (a recording's name does not say what made the stream).</param>
    private int FindRule(StreamKey stream, IReadOnlyList<LineageStep>? lineage = null, bool anyEngine = false)
    {
        var engine = lineage is { Count: > 0 } ? lineage[^1].Engine : null;
        for (var i = 0; i < _rules.Count; i++)
        {
            var rule = _rules[i];
            if (VhostMatches(rule, stream.Vhost)
                && Glob.Matches(rule.App, stream.App) && Glob.Matches(rule.Stream, stream.Stream)
                && (rule.Engine is null || anyEngine || (engine is not null && Glob.Matches(rule.Engine, engine))))
            {
                return i;
            }
        }

        return -1;
    }
}
