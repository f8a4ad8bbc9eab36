using System.Runtime.InteropServices;
using Platform.Load.Cli;
using Platform.Load.Modes;

// platform-load: RTMP / HTTP-FLV load generator. Modes: play, publish, churn (see Usage below).
const string Usage = "usage: Platform.Load MODE [options] URL\n  " + PlayMode.Usage + "\n  " + PublishMode.Usage + "\n  " + ChurnMode.Usage;

// Socket continuations run on the socket engine's thread instead of hopping to the thread pool: the
// receive path never blocks, and this saves a context switch per read (about 15% of a core at 1000
// players). Must be set before the first socket is used; an explicit setting wins.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
{
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

try
{
    var cli = CliArgs.Parse(args, new HashSet<string>(StringComparer.Ordinal) { "-q", "-v", "--digest", "--abort" });
    return cli.Mode switch
    {
        "play" => await PlayMode.RunAsync(cli, stop.Token),
        "publish" => await PublishMode.RunAsync(cli, stop.Token),
        "churn" => await ChurnMode.RunAsync(cli, stop.Token),
        _ => throw new UsageException($"unknown mode '{cli.Mode}'"),
    };
}
catch (UsageException ex)
{
    await Console.Error.WriteLineAsync($"{ex.Message}\n{Usage}");
    return 2;
}
catch (FormatException ex)
{
    await Console.Error.WriteLineAsync($"bad URL: {ex.Message}");
    return 2;
}
