using System.Net;
using System.Text.RegularExpressions;
using Platform.Workers.Rules;

namespace Platform.Api.Hosting;

/// <summary>
/// Pure checks of a node's settings. Every problem names the configuration key that holds it, the value,
/// and what is allowed, so an operator can fix it from the message alone.
/// </summary>
public static partial class ConfigValidator
{
    /// <summary>Binds <paramref name="configuration"/> into <paramref name="target"/>; a value of the wrong type becomes a keyed problem.</summary>
    public static string? TryBind(IConfiguration configuration, object target)
    {
        // The binder silently skips a bad value inside a list element (Apps:0:Hls:Fragment = abc would
        // leave the default in place), so every value is first checked against the property it sets.
        // At the root of the node's settings other components have sections of their own (Logging, Security,
        // Hooks, Telemetry, environment variables): only the node's own sections are checked for unknown keys.
        var problem = CheckValues(configuration, target.GetType(), target is System.Collections.IList, strict: target is not PlatformOptions);
        if (problem is not null)
        {
            return problem;
        }

        try
        {
            configuration.Bind(target);
            return null;
        }
        catch (InvalidOperationException ex)
        {
            return DescribeBindError(ex);
        }
    }

    /// <summary>Turns the binder's "Failed to convert configuration value 'x' at 'Key' to type 'T'" into a keyed message.</summary>
    public static string DescribeBindError(InvalidOperationException ex)
    {
        var match = BindError().Match(ex.Message);
        if (!match.Success)
        {
            return ex.InnerException is null ? ex.Message : $"{ex.Message} ({ex.InnerException.Message})";
        }

        var (value, key, type) = (match.Groups["value"].Value, match.Groups["key"].Value, match.Groups["type"].Value);
        return $"{key} = {value}: expected {Expected(type)}";
    }

    private static string? CheckValues(IConfiguration section, Type type, bool isList, bool strict)
    {
        foreach (var child in section.GetChildren())
        {
            var property = isList ? null : type.GetProperty(child.Key, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase);
            var target = isList ? ElementType(type) : property is { CanWrite: true } ? property.PropertyType : null;
            if (target is null)
            {
                if (strict && !isList)
                {
                    return Unknown(child.Path, child.Key, type);
                }

                continue; // at the root: another component's settings
            }

            target = Nullable.GetUnderlyingType(target) ?? target;
            if (child.Value is { } value && IsScalar(target))
            {
                if (value.Length > 0 && !Converts(value, target))
                {
                    return $"{child.Path} = {value}: expected {Expected(target)}";
                }
            }
            else if (!IsScalar(target) && CheckValues(child, target, ElementType(target) is not null, strict: true) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    /// <summary>"Rtmp:Prot: unknown key; did you mean Port?", or the keys the section takes when none is close.</summary>
    private static string Unknown(string path, string key, Type type)
    {
        var known = type.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
            .Where(p => p.CanWrite).Select(p => p.Name).ToList();
        var closest = known.Select(k => (Key: k, Distance: Distance(key.ToUpperInvariant(), k.ToUpperInvariant()))).OrderBy(k => k.Distance).FirstOrDefault();
        return closest.Key is not null && closest.Distance <= Math.Max(2, key.Length / 3)
            ? $"{path}: unknown key; did you mean {closest.Key}?"
            : $"{path}: unknown key; this section takes {string.Join(", ", known)}";
    }

    /// <summary>Levenshtein distance: the edits that turn one key into the other.</summary>
    internal static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), substitution);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && type.GetGenericArguments() is [var element] && typeof(System.Collections.IEnumerable).IsAssignableFrom(type) && type != typeof(string) ? element
        : null;

    private static bool IsScalar(Type type) => type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(TimeSpan) || type == typeof(decimal) || type == typeof(Uri);

    private static bool Converts(string value, Type type)
    {
        try
        {
            System.ComponentModel.TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or NotSupportedException or OverflowException || ex.InnerException is FormatException or OverflowException)
        {
            return false;
        }
    }

    private static string Expected(string typeName) =>
        Expected(Type.GetType(typeName) ?? AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName)).FirstOrDefault(t => t is not null));

    private static string Expected(Type? type)
    {
        return type switch
        {
            _ when type == typeof(TimeSpan) => "a duration such as 00:00:04 (hh:mm:ss) or 00:00:00.500",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(int) || type == typeof(long) => "a whole number",
            _ when type == typeof(uint) => "a whole number from 0 to 4294967295",
            { IsEnum: true } => "one of " + string.Join(", ", Enum.GetNames(type)),
            _ => $"a value of type {type?.Name ?? "unknown"}",
        };
    }

    [GeneratedRegex("value '(?<value>.*)' at '(?<key>[^']+)' to type '(?<type>[^']+)'", RegexOptions.Singleline)]
    private static partial Regex BindError();

    public static IReadOnlyList<string> Validate(PlatformOptions options)
    {
        var problems = new List<string>();
        void Positive(string key, TimeSpan value)
        {
            if (value <= TimeSpan.Zero)
            {
                problems.Add($"{key} = {value}: must be longer than zero");
            }
        }

        void AtLeast(string key, long value, long min)
        {
            if (value < min)
            {
                problems.Add($"{key} = {value}: must be at least {min}");
            }
        }

        void Address(string key, string value)
        {
            if (!IPAddress.TryParse(value, out _))
            {
                problems.Add($"{key} = {value}: not an IP address (use 0.0.0.0 for every interface, 127.0.0.1 for loopback only)");
            }
        }

        var rtmp = options.Rtmp;
        Address("Rtmp:BindAddress", rtmp.BindAddress);
        Address("Http:BindAddress", options.Http.BindAddress);
        Address("Api:BindAddress", options.Api.BindAddress);
        Address("Management:BindAddress", options.Management.BindAddress);
        Positive("Rtmp:HandshakeTimeout", rtmp.HandshakeTimeout);
        Positive("Rtmp:PublishFirstPacketTimeout", rtmp.PublishFirstPacketTimeout);
        Positive("Rtmp:PublishIdleTimeout", rtmp.PublishIdleTimeout);
        Positive("Rtmp:IdleTimeout", rtmp.IdleTimeout);
        Positive("Rtmp:PlaySendTimeout", rtmp.PlaySendTimeout);
        AtLeast("Rtmp:MaxMessageLength", rtmp.MaxMessageLength, 1024);
        AtLeast("Rtmp:MaxChunkStreams", rtmp.MaxChunkStreams, 4);
        AtLeast("Rtmp:MaxConnections", rtmp.MaxConnections, 1);
        AtLeast("Rtmp:WindowAckSize", rtmp.WindowAckSize, 4096);
        Positive("Http:SendTimeout", options.Http.SendTimeout);

        if (string.IsNullOrWhiteSpace(options.Cluster.Hostname))
        {
            problems.Add("Cluster:Hostname is empty: give the address other nodes reach this one at");
        }

        for (var i = 0; i < options.Cluster.Seeds.Count; i++)
        {
            if (!options.Cluster.Seeds[i].StartsWith("akka.tcp://", StringComparison.Ordinal))
            {
                problems.Add($"Cluster:Seeds:{i} = {options.Cluster.Seeds[i]}: expected akka.tcp://platform@host:port");
            }
        }

        var provider = options.Storage.Provider.ToLowerInvariant();
        if (provider is not ("sqlite" or "postgresql"))
        {
            problems.Add($"Storage:Provider = {options.Storage.Provider}: expected sqlite or postgresql");
        }
        else if (provider == "postgresql" && string.IsNullOrWhiteSpace(options.Storage.ConnectionString))
        {
            problems.Add("Storage:ConnectionString is empty: PostgreSQL needs Host=...;Database=...;Username=...");
        }

        var streams = options.Streams;
        Positive("Streams:IdleTimeout", streams.IdleTimeout);
        Positive("Streams:PlayWaitTimeout", streams.PlayWaitTimeout);
        AtLeast("Streams:GopCacheMaxFrames", streams.GopCacheMaxFrames, 1);
        AtLeast("Streams:GopCacheMaxBytes", streams.GopCacheMaxBytes, 64 * 1024);
        AtLeast("Streams:ReaderQueueFrames", streams.ReaderQueueFrames, 16);
        AtLeast("Streams:ReaderQueueBytes", streams.ReaderQueueBytes, 64 * 1024);
        Positive("Streams:ReaderMaxLag", streams.ReaderMaxLag);
        if (streams.WriteCoalesce < TimeSpan.Zero || streams.WriteCoalesce > TimeSpan.FromSeconds(1))
        {
            problems.Add($"Streams:WriteCoalesce = {streams.WriteCoalesce}: expected 00:00:00 (off) up to 00:00:01");
        }

        var engines = options.Engines;
        Positive("Engines:StallTimeout", engines.StallTimeout);
        Positive("Engines:StartTimeout", engines.StartTimeout);
        Positive("Engines:StableAfter", engines.StableAfter);
        Positive("Engines:InitialBackoff", engines.InitialBackoff);
        AtLeast("Engines:MaxFastFailures", engines.MaxFastFailures, 1);
        AtLeast("Engines:LogLines", engines.LogLines, 1);
        if (engines.MaxBackoff < engines.InitialBackoff)
        {
            problems.Add($"Engines:MaxBackoff = {engines.MaxBackoff}: must be at least Engines:InitialBackoff ({engines.InitialBackoff})");
        }

        if (engines.StopGrace < TimeSpan.Zero)
        {
            problems.Add($"Engines:StopGrace = {engines.StopGrace}: must not be negative");
        }

        problems.AddRange(ValidateApps(options.Apps));
        problems.AddRange(Platform.Sources.Config.SourceCatalog.Validate(options.Sources));
        return problems;
    }

    /// <summary>Checks the <c>Apps</c> rules alone (also on a reload).</summary>
    public static IReadOnlyList<string> ValidateApps(IReadOnlyList<AppRule> apps)
    {
        var problems = new List<string>();
        for (var i = 0; i < apps.Count; i++)
        {
            var rule = apps[i];
            var key = $"Apps:{i}";
            foreach (var (name, pattern) in new[] { ("Vhost", rule.Vhost), ("App", rule.App), ("Stream", rule.Stream) })
            {
                if (string.IsNullOrWhiteSpace(pattern))
                {
                    problems.Add($"{key}:{name} is empty: use * to match every name");
                }
            }

            problems.AddRange(Platform.Sources.Config.SourceCatalog.ValidateOrigins($"{key}:Origins", rule.Origins));
            var hls = rule.Hls;
            if (hls.Fragment <= TimeSpan.Zero || hls.Fragment > TimeSpan.FromMinutes(1))
            {
                problems.Add($"{key}:Hls:Fragment = {hls.Fragment}: expected more than zero and at most 00:01:00");
            }

            if (hls.Window < hls.Fragment)
            {
                problems.Add($"{key}:Hls:Window = {hls.Window}: must be at least the fragment ({hls.Fragment})");
            }

            if (hls.CleanupAfter < TimeSpan.Zero)
            {
                problems.Add($"{key}:Hls:CleanupAfter = {hls.CleanupAfter}: must not be negative");
            }

            if (string.IsNullOrWhiteSpace(hls.Path))
            {
                problems.Add($"{key}:Hls:Path is empty: give a folder (relative paths are under Storage:Root)");
            }

            if (!hls.TsFile.EndsWith(".ts", StringComparison.Ordinal)
                || !(hls.TsFile.Contains("[seq]", StringComparison.Ordinal) || hls.TsFile.Contains("[timestamp]", StringComparison.Ordinal)))
            {
                problems.Add($"{key}:Hls:TsFile = {hls.TsFile}: must end with .ts and contain [seq] or [timestamp] so segments get distinct names");
            }

            var dvr = rule.Dvr;
            if (dvr.Plan == Workers.Dvr.DvrPlan.Segment && dvr.SegmentDuration <= TimeSpan.Zero)
            {
                problems.Add($"{key}:Dvr:SegmentDuration = {dvr.SegmentDuration}: must be longer than zero for the Segment plan");
            }

            if (string.IsNullOrWhiteSpace(dvr.Path))
            {
                problems.Add($"{key}:Dvr:Path is empty: give a folder (relative paths are under Storage:Root)");
            }

            if (!dvr.File.EndsWith(".flv", StringComparison.Ordinal))
            {
                problems.Add($"{key}:Dvr:File = {dvr.File}: must end with .flv");
            }

            if (rule.Engine is { } engineMatch && string.IsNullOrWhiteSpace(engineMatch))
            {
                problems.Add($"{key}:Engine is empty: leave it out to cover every stream, or use * for every rendition");
            }

            if (rule.PlayWaitTimeout < TimeSpan.Zero || rule.FlvPlayWaitTimeout < TimeSpan.Zero)
            {
                problems.Add($"{key}: PlayWaitTimeout and FlvPlayWaitTimeout must not be negative (00:00:00: refuse at once)");
            }

            ValidateEngines(rule, key, problems);
            ValidateForward(rule, key, problems);
        }

        return problems;
    }

    private static void ValidateEngines(AppRule rule, string key, List<string> problems)
    {
        if (rule.EngineBackend.Length > 0 && Platform.Workers.BackendHttp.UrlProblem(rule.EngineBackend) is { } backend)
        {
            problems.Add($"{key}:EngineBackend {backend}");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var e = 0; e < rule.Engines.Count; e++)
        {
            var engine = rule.Engines[e];
            var at = $"{key}:Engines:{e}";
            if (!EngineName().IsMatch(engine.Name))
            {
                problems.Add($"{at}:Name = '{engine.Name}': expected letters, digits, - and _ (at most 64)");
            }
            else if (!names.Add(engine.Name))
            {
                problems.Add($"{at}:Name = {engine.Name}: another engine of {key} has this name");
            }

            if (!engine.Output.Contains("[stream]", StringComparison.Ordinal) && !rule.Stream.Equals(engine.Output, StringComparison.Ordinal) && rule.Stream.IndexOfAny(['*', '?']) >= 0)
            {
                problems.Add($"{at}:Output = {engine.Output}: without [stream], every stream of the rule would publish to the same rendition");
            }

            if (Platform.Workers.Rules.WorkerPlanner.EngineOutput(engine, new Platform.Streams.StreamKey("v", "app", "stream"), out var problem) is null)
            {
                problems.Add($"{at}:Output {problem}");
            }

            if (string.IsNullOrWhiteSpace(engine.Video.Codec) || string.IsNullOrWhiteSpace(engine.Audio.Codec))
            {
                problems.Add($"{at}: Video:Codec and Audio:Codec must name an ffmpeg encoder, copy or none");
            }

            if (engine.Video.Bitrate < 0 || engine.Video.Width < 0 || engine.Video.Height < 0 || engine.Video.Fps < 0
                || engine.Audio.Bitrate < 0 || engine.Audio.SampleRate < 0 || engine.Audio.Channels < 0)
            {
                problems.Add($"{at}: bit rates, sizes, fps, sample rate and channels must not be negative (0 keeps the source's or the encoder's)");
            }

            if (engine.Video.KeyframeInterval < TimeSpan.Zero)
            {
                problems.Add($"{at}:Video:KeyframeInterval = {engine.Video.KeyframeInterval}: must not be negative (0: the encoder decides)");
            }
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex EngineName();

    /// <summary>Forward destinations are rtmp:// URLs with an app and a stream (checked with sample names for the variables).</summary>
    private static void ValidateForward(AppRule rule, string key, List<string> problems)
    {
        var forward = rule.Forward;
        for (var d = 0; d < forward.Destinations.Count; d++)
        {
            var sample = Platform.Workers.Forward.ForwardDestination.Resolve(forward.Destinations[d], new Platform.Streams.StreamKey("v", "app", "stream"), "engine");
            if (Platform.Workers.Forward.ForwardDestination.TryParse(sample, out var problem) is null)
            {
                problems.Add($"{key}:Forward:Destinations:{d} {problem}: expected rtmp://host[:port]/app/stream[?query] ([vhost] [app] [stream] [engine] allowed)");
            }
        }

        if (!string.IsNullOrWhiteSpace(forward.Backend) && Platform.Workers.BackendHttp.UrlProblem(forward.Backend) is { } backend)
        {
            problems.Add($"{key}:Forward:Backend {backend}");
        }

        if (forward.ReconnectMin <= TimeSpan.Zero)
        {
            problems.Add($"{key}:Forward:ReconnectMin = {forward.ReconnectMin}: must be longer than zero");
        }

        if (forward.ReconnectMax < forward.ReconnectMin)
        {
            problems.Add($"{key}:Forward:ReconnectMax = {forward.ReconnectMax}: must be at least {key}:Forward:ReconnectMin ({forward.ReconnectMin})");
        }
    }
}
