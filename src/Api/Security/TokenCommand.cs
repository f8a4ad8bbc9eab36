using System.Globalization;
using Platform.Api.Hosting;
using Platform.Streams;
using Platform.Streams.Security;

namespace Platform.Api.Security;

/// <summary>
/// <c>platform token --app APP --stream NAME --action publish|play [--ttl SECONDS] [--vhost V] [--host H]</c>:
/// prints a signed URL's query string and the full URLs, using the secrets of the configuration the node
/// would run with (appsettings.json, environment, <c>--Key=Value</c> arguments), without starting a node.
/// </summary>
public static class TokenCommand
{
    public const int Ok = 0;
    public const int Usage = 1;
    public const int Refused = 2;

    private const string Help = """
        usage: token --app APP --stream NAME --action publish|play [--ttl SECONDS] [--vhost VHOST] [--host HOST] [--Key=Value ...]
          --ttl    lifetime in seconds (default 3600)
          --vhost  vhost the URL is for (default: the default vhost)
          --host   host name printed in the URLs (default Http:PublicHost, else 127.0.0.1)
          --Key=Value  any configuration override, e.g. --Security:Rules:0:PlaySecret=...
        prints the query string, then the URLs (rtmp; for play also HTTP-FLV and HLS)
        """;

    public static int Run(string[] args, TextWriter output, TextWriter errors, Action<IConfigurationBuilder>? configure = null, TimeProvider? time = null)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var overrides = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help")
            {
                output.WriteLine(Help);
                return Ok;
            }

            if (arg.StartsWith("--", StringComparison.Ordinal) && (arg.Contains(':', StringComparison.Ordinal) || arg.Contains('=', StringComparison.Ordinal)))
            {
                overrides.Add(arg);
                continue;
            }

            var name = arg.TrimStart('-');
            if (!arg.StartsWith("--", StringComparison.Ordinal) || name is not ("app" or "stream" or "action" or "ttl" or "vhost" or "host") || i + 1 >= args.Length)
            {
                errors.WriteLine($"token: unexpected argument '{arg}'");
                errors.WriteLine(Help);
                return Usage;
            }

            values[name] = args[++i];
        }

        if (!values.TryGetValue("app", out var app) || !values.TryGetValue("stream", out var stream) || !values.TryGetValue("action", out var actionText))
        {
            errors.WriteLine("token: --app, --stream and --action are required");
            errors.WriteLine(Help);
            return Usage;
        }

        if (!StreamToken.TryParseAction(actionText, out var action))
        {
            errors.WriteLine($"token: unknown action '{actionText}' (allowed: publish, play)");
            return Usage;
        }

        var ttl = 3600L;
        if (values.TryGetValue("ttl", out var ttlText) && !long.TryParse(ttlText, NumberStyles.None, CultureInfo.InvariantCulture, out ttl))
        {
            errors.WriteLine($"token: --ttl {ttlText} is not a number of seconds");
            return Usage;
        }

        var configuration = BuildConfiguration(overrides, configure);
        var (policy, _, problems) = SecurityRules.Load(configuration);
        if (policy is null)
        {
            foreach (var problem in problems)
            {
                errors.WriteLine($"token: {problem}");
            }

            return Refused;
        }

        var vhost = values.TryGetValue("vhost", out var v) && v != "default" ? v : StreamKey.DefaultVhost;
        var now = (time ?? TimeProvider.System).GetUtcNow().ToUnixTimeSeconds();
        var minted = policy.Mint(action, new StreamKey(vhost, app, stream), ttl, now, out var error);
        if (minted is null)
        {
            errors.WriteLine($"token: {error}");
            return Refused;
        }

        var options = new PlatformOptions();
        configuration.Bind(options);
        output.WriteLine(minted.Query);
        foreach (var url in TokenUrls.For(minted, values.GetValueOrDefault("host") ?? (string.IsNullOrWhiteSpace(options.Http.PublicHost) ? "127.0.0.1" : options.Http.PublicHost.Trim()), options.Rtmp.Port, options.Http.Port).Values)
        {
            output.WriteLine(url);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"expires {minted.Expires} ({DateTimeOffset.FromUnixTimeSeconds(minted.Expires):u})"));
        return Ok;
    }

    /// <summary>The configuration sources the node itself reads, in the same order.</summary>
    internal static IConfiguration BuildConfiguration(List<string> overrides, Action<IConfigurationBuilder>? configure)
    {
        var environment = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? "Production";
        var builder = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{environment}.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine([.. overrides]);
        configure?.Invoke(builder);
        return builder.Build();
    }
}
