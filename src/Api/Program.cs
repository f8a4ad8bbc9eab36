using Platform.Api.Hosting;

try
{
    var app = PlatformHost.Build(args);
    app.Run();
    return 0;
}
catch (StartupException ex)
{
    Console.Error.WriteLine($"platform: cannot start: {ex.Message}");
    return 2;
}

/// <summary>The node's entry point; tests build the same host through <see cref="PlatformHost"/>.</summary>
public partial class Program;
