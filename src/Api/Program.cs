using Platform.Api.Hosting;
using Platform.Api.Security;

// `token ...` mints a signed URL from the configuration and exits; it never starts a node.
if (args.Length > 0 && args[0] == "token")
{
    return TokenCommand.Run(args[1..], Console.Out, Console.Error);
}

// `drain ...` asks the node of this configuration to drain and leave the cluster, and waits until it exited.
if (args.Length > 0 && args[0] == "drain")
{
    return await DrainCommand.RunAsync(args[1..], Console.Out, Console.Error);
}

try
{
    var app = PlatformHost.Build(args);
    app.Run();

    // 0 after a drain; Akka.Hosting sets -1 when the cluster downed this node.
    return Environment.ExitCode;
}
catch (StartupException ex)
{
    Console.Error.WriteLine($"platform: cannot start: {ex.Message}");
    return 2;
}

/// <summary>The node's entry point; tests build the same host through <see cref="PlatformHost"/>.</summary>
public partial class Program;
