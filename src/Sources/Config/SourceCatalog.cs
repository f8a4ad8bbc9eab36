using System.Globalization;
using System.Text.RegularExpressions;
using Platform.Streams;

namespace Platform.Sources.Config;

/// <summary>One stream's source, resolved: the URLs to pull in order of preference, and how.</summary>
/// <param name="FromOrigin">Pulled from its app's upstream origins (an edge), not from a <c>Sources</c> entry.</param>
public sealed record SourceSpec(StreamKey Stream, IReadOnlyList<string> Urls, SourceInput Input, SourceRule Rule, bool AlwaysOn, bool FromOrigin)
{
    /// <summary>The URLs as shown (credentials masked).</summary>
    public string Shown => string.Join(", ", Urls.Select(SourceUrls.Shown));

    public string Kind => FromOrigin ? "origin" : Input.ToString().ToLowerInvariant();
}

/// <summary>
/// The <c>Sources</c> entries in force and the apps' upstream origins, free of actors: which stream is pulled
/// from where (the first entry whose stream matches wins, then the app's origins), and which sources run
/// always. Checked once when built (<see cref="Validate"/>), so resolving never fails.
/// </summary>
public sealed partial class SourceCatalog
{
    private readonly List<Entry> _entries = [];
    private readonly Func<StreamKey, IReadOnlyList<string>> _origins;

    /// <param name="origins">The upstream origins of a stream's app (<c>Apps:N:Origins</c>); none by default.</param>
    public SourceCatalog(IReadOnlyList<SourceRule> rules, Func<StreamKey, IReadOnlyList<string>>? origins = null)
    {
        _origins = origins ?? (_ => []);
        foreach (var rule in rules.Where(r => r.Enabled))
        {
            if (Compile(rule.Stream) is { } pattern && SourceUrls.Classify(Template(rule.Url), out _) is { } input)
            {
                _entries.Add(new Entry(rule, pattern, input));
            }
        }

        AlwaysOn = [.. _entries
            .Where(e => !e.Rule.OnDemand && e.Pattern.Variables.Count == 0)
            .Select(e => new SourceSpec(e.Pattern.Fixed!.Value, [e.Rule.Url], e.Input, e.Rule, true, false))];
    }

    public static SourceCatalog Empty { get; } = new([]);

    /// <summary>The always-on sources (every one names a single stream).</summary>
    public IReadOnlyList<SourceSpec> AlwaysOn { get; }

    public SourceSpec? Resolve(StreamKey stream)
    {
        foreach (var entry in _entries)
        {
            var match = entry.Pattern.Regex.Match(stream.EntityId);
            if (!match.Success)
            {
                continue;
            }

            var url = VariableReference().Replace(entry.Rule.Url, m => Uri.EscapeDataString(match.Groups[m.Groups[1].Value].Value));
            return new SourceSpec(stream, [url], entry.Input, entry.Rule, !entry.Rule.OnDemand, false);
        }

        var origins = _origins(stream);
        if (origins.Count == 0)
        {
            return null;
        }

        var urls = origins.Select(o => OriginUrl(o, stream)).ToArray();
        return new SourceSpec(stream, urls, SourceUrls.Classify(urls[0], out _) ?? SourceInput.Rtmp, new SourceRule { OnDemand = true }, false, true);
    }

    /// <summary>
    /// A stream's URL at an upstream origin: <c>[stream]</c> in the origin's URL is replaced; otherwise the
    /// stream name is appended to its path (with <c>.flv</c> for HTTP-FLV), keeping its query.
    /// </summary>
    public static string OriginUrl(string origin, StreamKey stream)
    {
        if (origin.Contains("[stream]", StringComparison.Ordinal))
        {
            return origin.Replace("[stream]", Uri.EscapeDataString(stream.Stream), StringComparison.Ordinal);
        }

        var query = origin.IndexOf('?', StringComparison.Ordinal);
        var path = query < 0 ? origin : origin[..query];
        var tail = query < 0 ? string.Empty : origin[query..];
        var flv = path.StartsWith("http", StringComparison.OrdinalIgnoreCase);
        return $"{path.TrimEnd('/')}/{Uri.EscapeDataString(stream.Stream)}{(flv ? ".flv" : string.Empty)}{tail}";
    }

    /// <summary>Problems of the <c>Sources</c> entries, each with its key; empty when they can be used.</summary>
    public static IReadOnlyList<string> Validate(IReadOnlyList<SourceRule> rules)
    {
        var problems = new List<string>();
        var streams = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var key = $"Sources:{i}";
            var pattern = Compile(rule.Stream);
            if (pattern is null)
            {
                problems.Add($"{key}:Stream = '{rule.Stream}' is not app/stream or vhost/app/stream (names, or {{variables}} in them)");
            }
            else
            {
                if (!rule.OnDemand && pattern.Variables.Count > 0)
                {
                    problems.Add($"{key}:Stream = '{rule.Stream}' has variables, so it names many streams: such a source must be OnDemand");
                }

                foreach (Match used in VariableReference().Matches(rule.Url))
                {
                    if (!pattern.Variables.Contains(used.Groups[1].Value))
                    {
                        problems.Add($"{key}:Url uses {{{used.Groups[1].Value}}}, which {key}:Stream does not define");
                    }
                }

                if (rule.Enabled && streams.TryGetValue(rule.Stream, out var first))
                {
                    problems.Add($"{key}:Stream = '{rule.Stream}' is already the stream of Sources:{first}");
                }

                streams.TryAdd(rule.Stream, i);
            }

            if (SourceUrls.Classify(Template(rule.Url), out var urlProblem) is null)
            {
                problems.Add($"{key}:Url {urlProblem}");
            }

            if (rule.RtspTransport is not ("tcp" or "udp"))
            {
                problems.Add($"{key}:RtspTransport = '{rule.RtspTransport}' must be tcp or udp");
            }

            foreach (var (name, value) in new[] { ("StartTimeout", rule.StartTimeout), ("StallTimeout", rule.StallTimeout) })
            {
                if (value <= TimeSpan.Zero)
                {
                    problems.Add($"{key}:{name} must be more than zero");
                }
            }

            if (rule.CloseAfter < TimeSpan.Zero)
            {
                problems.Add($"{key}:CloseAfter must not be negative");
            }
        }

        return problems;
    }

    /// <summary>Problems of an app's upstream origins (<c>Apps:N:Origins</c>): each an rtmp:// or http(s)://….flv URL.</summary>
    public static IReadOnlyList<string> ValidateOrigins(string key, IReadOnlyList<string> origins)
    {
        var problems = new List<string>();
        for (var i = 0; i < origins.Count; i++)
        {
            var probe = OriginUrl(origins[i], new StreamKey(StreamKey.DefaultVhost, "app", "s"));
            var input = SourceUrls.Classify(probe, out var problem);
            if (input is not (SourceInput.Rtmp or SourceInput.Flv))
            {
                problems.Add($"{key}:{i} = '{SourceUrls.Shown(origins[i])}' must be an rtmp:// or http(s):// (HTTP-FLV) URL{(problem is null ? string.Empty : $": {problem}")}");
            }
        }

        return problems;
    }

    /// <summary>A URL with variables, made classifiable (a variable can stand in a host name or address).</summary>
    private static string Template(string url) => VariableReference().Replace(url, "0");

    private static Pattern? Compile(string stream)
    {
        var parts = stream.Split('/');
        if (parts.Length < 2 || parts.Any(p => p.Length == 0))
        {
            return null;
        }

        if (parts.Length == 2)
        {
            parts = [StreamKey.DefaultVhost, .. parts];
        }

        var variables = new List<string>();
        var regex = new System.Text.StringBuilder("^");
        for (var i = 0; i < parts.Length; i++)
        {
            if (i > 0)
            {
                regex.Append('/');
            }

            var position = 0;
            foreach (Match variable in VariableReference().Matches(parts[i]))
            {
                var literal = parts[i][position..variable.Index];
                if (literal.Length > 0 && !StreamKey.IsValidName(literal) && !literal.All(c => c == '-' || c == '_' || c == '.'))
                {
                    return null;
                }

                regex.Append(Regex.Escape(literal));
                var name = variable.Groups[1].Value;
                if (variables.Contains(name))
                {
                    return null;
                }

                variables.Add(name);
                regex.Append(CultureInfo.InvariantCulture, $"(?<{name}>[^/]+?)");
                position = variable.Index + variable.Length;
            }

            var rest = parts[i][position..];
            if (rest.Length > 0 && !StreamKey.IsValidName(rest))
            {
                return null;
            }

            regex.Append(Regex.Escape(rest));
        }

        regex.Append('$');
        var id = string.Join('/', parts);
        StreamKey? fixedKey = variables.Count == 0 && StreamKey.TryParse(id, out var parsed) ? parsed : null;
        if (variables.Count == 0 && fixedKey is null)
        {
            return null;
        }

        return new Pattern(new Regex(regex.ToString(), RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)), variables, fixedKey);
    }

    [GeneratedRegex(@"\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex VariableReference();

    private sealed record Pattern(Regex Regex, IReadOnlyList<string> Variables, StreamKey? Fixed);

    private sealed record Entry(SourceRule Rule, Pattern Pattern, SourceInput Input);
}
