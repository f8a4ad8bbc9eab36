using Platform.Streams.Security;

namespace Platform.EndToEnd.Tests;

/// <summary>Signed URLs never reach the log with their credentials: a logged token would work until it expires.</summary>
[Collection("e2e")]
public class LogRedactionTests
{
    [Theory]
    [InlineData("?expires=1700000000&token=0123abcd", "?expires=1700000000&token=***")]
    [InlineData("rtmp://h/live?token=abc&x=1", "rtmp://h/live?token=***&x=1")]
    [InlineData("?Sign=s&api_key=k&PASSWORD=p&secretA=q", "?Sign=***&api_key=***&PASSWORD=***&secretA=***")]
    [InlineData("?expires=1&vhost=v", "?expires=1&vhost=v")]
    [InlineData("", "")]
    public void Credential_parameters_lose_their_values(string text, string logged) =>
        Assert.Equal(logged, LogText.Redacted(text));

    [Fact]
    public async Task A_publish_with_a_signed_url_logs_it_without_the_token()
    {
        const string token = "f00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeed";
        var root = Path.Combine(Path.GetTempPath(), "platform-redact-" + Guid.NewGuid().ToString("N")[..8]);
        await using var node = await ServerProcess.StartAsync(new Dictionary<string, string?> { ["Logging:LogLevel:Platform"] = "Information" }, root);
        await using var publisher = Ffmpeg.Publish(node.Rtmp($"live/redact?expires=4102444800&token={token}"));
        await Eventually.TrueAsync(() => node.Output.Contains("publishing __defaultVhost__/live/redact", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the publish logged");
        Assert.Contains("token=***", node.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(token, node.Output, StringComparison.Ordinal);
    }
}
