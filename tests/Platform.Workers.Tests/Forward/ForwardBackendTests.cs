using System.Net;
using System.Text.Json;
using Platform.Streams;
using Platform.Workers.Forward;

namespace Platform.Workers.Tests.Forward;

public sealed class ForwardBackendTests
{
    [Fact]
    public void The_request_is_srs_on_forward_field_for_field()
    {
        var body = ForwardBackend.Body(new ForwardRequest("vid-abc", "c1", "10.0.0.9", new StreamKey("v1", "live", "cam"), "rtmp://a/live", "token=x&y=1"));

        using var json = JsonDocument.Parse(body);
        Assert.Equal(
            ["action", "server_id", "client_id", "ip", "vhost", "app", "tcUrl", "stream", "param"],
            json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("on_forward", json.RootElement.GetProperty("action").GetString());
        Assert.Equal("v1", json.RootElement.GetProperty("vhost").GetString());
        Assert.Equal("cam", json.RootElement.GetProperty("stream").GetString());
        Assert.Equal("?token=x&y=1", json.RootElement.GetProperty("param").GetString());
        Assert.Contains("\"param\":\"?token=x&y=1\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_param_stays_empty() =>
        Assert.Contains("\"param\":\"\"", ForwardBackend.Body(new ForwardRequest("s", "c", "i", new StreamKey("v", "a", "s"), "t", string.Empty)), StringComparison.Ordinal);

    [Fact]
    public void Code_zero_gives_the_urls()
    {
        var answer = ForwardBackend.Parse(200, """{"code":0,"data":{"urls":["rtmp://b/fwd/x","",7,"rtmp://c/fwd/x?k=v"]}}""");

        Assert.False(answer.Failed);
        Assert.Equal(["rtmp://b/fwd/x", "rtmp://c/fwd/x?k=v"], answer.Urls);
    }

    [Theory]
    [InlineData("""{"code":0}""")]
    [InlineData("""{"code":0,"data":{}}""")]
    [InlineData("""{"code":0,"data":{"urls":[]}}""")]
    [InlineData("""{"code":0,"data":{"urls":"rtmp://b/fwd/x"}}""")]
    public void Code_zero_without_urls_gives_none_without_a_fault(string body)
    {
        var answer = ForwardBackend.Parse(200, body);

        Assert.False(answer.Failed);
        Assert.Empty(answer.Urls);
    }

    [Theory]
    [InlineData(200, """{"code":1,"data":{"urls":["rtmp://b/fwd/x"]}}""", "code 1")]
    [InlineData(200, """{"code":"0"}""", "no numeric code")]
    [InlineData(200, """[0]""", "no numeric code")]
    [InlineData(200, "0", "no numeric code")]
    [InlineData(200, "not json", "not JSON")]
    [InlineData(500, """{"code":0,"data":{"urls":["rtmp://b/fwd/x"]}}""", "HTTP 500")]
    [InlineData(404, "", "HTTP 404")]
    public void Anything_else_gives_no_destinations_and_says_why(int status, string body, string problem)
    {
        var answer = ForwardBackend.Parse(status, body);

        Assert.True(answer.Failed);
        Assert.Empty(answer.Urls);
        Assert.Contains(problem, answer.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backend_that_does_not_answer_gives_no_destinations()
    {
        // A port nothing listens on: the call fails, it does not throw.
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var answer = await ForwardBackend.AskAsync(new Uri($"http://127.0.0.1:{port}/forward"), new ForwardRequest("s", "c", "i", new StreamKey("v", "a", "s"), "t", string.Empty), CancellationToken.None);

        Assert.True(answer.Failed);
        Assert.Empty(answer.Urls);
    }
}
