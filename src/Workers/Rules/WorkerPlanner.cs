using Platform.Streams;

namespace Platform.Workers.Rules;

/// <summary>The HLS settings a stream gets, resolved from its rule.</summary>
public sealed record HlsSettings(TimeSpan Fragment, TimeSpan Window, bool Deterministic, string Root, string TsFile, TimeSpan CleanupAfter);

/// <summary>The DVR settings a stream gets, resolved from its rule.</summary>
public sealed record DvrSettings(Dvr.DvrPlan Plan, TimeSpan SegmentDuration, string Root, string File);

/// <summary>What runs for one stream and, for what does not, why (logged at start and shown by the API).</summary>
public sealed record WorkerPlan(HlsSettings? Hls, string HlsReason, DvrSettings? Dvr = null, string DvrReason = "");

/// <summary>
/// Pure decisions: which rule covers a stream and what it runs. Folders that cannot be written are found
/// at start-up (<see cref="UnwritableFolders"/>) and passed in, so a stream on such a folder is told why.
/// </summary>
public sealed class WorkerPlanner
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
    public (DvrSettings? Settings, string Reason) PlanDvrOnDemand(StreamKey stream)
    {
        var index = FindRule(stream);
        if (index < 0)
        {
            return (null, $"no rule in Apps matches {stream.App}/{stream.Stream} on vhost {stream.Vhost}");
        }

        var rule = _rules[index];
        return rule.Enabled ? PlanDvr(rule.Dvr, $"Apps:{index}", force: true) : (null, $"app disabled by Apps:{index}:Enabled");
    }

    public WorkerPlan Plan(StreamKey stream)
    {
        var index = FindRule(stream);
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
        return new WorkerPlan(hls, hlsReason, dvr, dvrReason);
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
            if (app is not null && stream is not null && FindRule(new StreamKey(vhost, app, stream)) == i)
            {
                return new StreamKey(vhost, app, stream);
            }
        }

        return null;
    }

    private static bool IsPlainName(string pattern) => pattern.IndexOfAny(['*', '?']) < 0;

    private string FolderOf(string path) => System.IO.Path.GetFullPath(path, System.IO.Path.GetFullPath(_storageRoot));

    private static bool VhostMatches(AppRule rule, string vhost) =>
        rule.Vhost == "*" || Glob.Matches(rule.Vhost, vhost) || (rule.Vhost == "default" && vhost == StreamKey.DefaultVhost);

    private int FindRule(StreamKey stream)
    {
        for (var i = 0; i < _rules.Count; i++)
        {
            var rule = _rules[i];
            if (VhostMatches(rule, stream.Vhost)
                && Glob.Matches(rule.App, stream.App) && Glob.Matches(rule.Stream, stream.Stream))
            {
                return i;
            }
        }

        return -1;
    }
}
