using Platform.Api.Hosting;

var app = PlatformHost.Build(args);
app.Run();

/// <summary>The node's entry point; tests build the same host through <see cref="PlatformHost"/>.</summary>
public partial class Program;
