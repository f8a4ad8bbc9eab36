using System.Net;
using System.Text;
using Microsoft.Extensions.Configuration;
using Platform.Api.Hosting;
using static Platform.EndToEnd.Tests.ApiCalls;

namespace Platform.EndToEnd.Tests;

/// <summary>The API's protection: credentials on every request, reloads, and refusing to open it unprotected.</summary>
[Collection("e2e")]
public class ApiAuthTests
{
    private const string Token = "0123456789abcdef-token";

    private static string Basic(string credentials) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials));

    [Fact]
    public async Task Bearer_and_basic_credentials_are_checked_on_every_api_request()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Api:Auth:Token"] = Token,
            ["Api:Auth:Username"] = "admin",
            ["Api:Auth:Password"] = "secret-pass",
        });
        using var http = new HttpClient();
        foreach (var path in new[] { "/api/v1/versions", "/api/v1/clients", "/api/v9/unknown" })
        {
            using var bare = await http.GetAsync(server.Api(path));
            Assert.Equal(HttpStatusCode.Unauthorized, bare.StatusCode);
            Assert.Equal(["Bearer", "Basic"], bare.Headers.WwwAuthenticate.Select(h => h.Scheme));
            AssertError(await SendAsync(http, HttpMethod.Get, server.Api(path), "Bearer wrong-token-0123456789"), HttpStatusCode.Unauthorized, 401);
            AssertError(await SendAsync(http, HttpMethod.Get, server.Api(path), Basic("admin:wrong-pass")), HttpStatusCode.Unauthorized, 401);
        }

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, HttpMethod.Get, server.Api("/api/v1/versions"), "Bearer " + Token)).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, HttpMethod.Get, server.Api("/api/v1/clients"), Basic("admin:secret-pass"))).Status);
        AssertError(await SendAsync(http, HttpMethod.Delete, server.Api("/api/v1/clients/nope"), "Bearer " + Token), HttpStatusCode.NotFound, 2049);

        // The media port is not the API's business.
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(server.Http("live/none.m3u8"))).StatusCode);
    }

    [Fact]
    public async Task Api_credentials_follow_an_edited_file_and_an_invalid_edit_keeps_the_last_valid_ones()
    {
        var folder = Directory.CreateTempSubdirectory("platform-auth-");
        var file = Path.Combine(folder.FullName, "auth.json");
        const string second = "fedcba9876543210-second";
        await File.WriteAllTextAsync(file, $$"""{ "Api": { "Auth": { "Token": "{{Token}}" } } }""");
        try
        {
            await using var server = await TestServer.StartAsync(null, null, c => c.AddJsonFile(file, optional: false, reloadOnChange: true), null);
            var reloads = server.Get<ReloadableOptions<ApiOptions>>();
            using var http = new HttpClient();
            var url = server.Api("/api/v1/versions");
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, HttpMethod.Get, url, "Bearer " + Token)).Status);

            await File.WriteAllTextAsync(file, $$"""{ "Api": { "Auth": { "Token": "{{second}}" } } }""");
            await Eventually.TrueAsync(async () => (await SendAsync(http, HttpMethod.Get, url, "Bearer " + second)).Status == HttpStatusCode.OK,
                TimeSpan.FromSeconds(20), "the new token accepted");
            Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(http, HttpMethod.Get, url, "Bearer " + Token)).Status);

            var rejected = reloads.Reloads.Rejected;
            await File.WriteAllTextAsync(file, """{ "Api": { "Auth": { "Token": "short" } } }""");
            await Eventually.TrueAsync(() => reloads.Reloads.Rejected > rejected, TimeSpan.FromSeconds(20), "the invalid edit refused");
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, HttpMethod.Get, url, "Bearer " + second)).Status);
            Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(http, HttpMethod.Get, url, "Bearer short")).Status);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("0.0.0.0", null, null, "Api:BindAddress = 0.0.0.0")]
    [InlineData("0.0.0.0", null, null, "Api:Auth")]
    [InlineData("127.0.0.1", "Api:Auth:Token", "short", "Api:Auth:Token")]
    [InlineData("127.0.0.1", "Http:HlsSessionTimeout", "-00:00:01", "Http:HlsSessionTimeout")]
    [InlineData("127.0.0.1", "Http:HlsMaxSessions", "0", "Http:HlsMaxSessions")]
    public void An_unsafe_or_invalid_api_setting_stops_the_start_with_its_key(string bind, string? key, string? value, string expected)
    {
        var settings = Ports(bind);
        if (key is not null)
        {
            settings[key] = value;
        }

        var ex = Assert.Throws<StartupException>(() => PlatformHost.Build([], c => c.AddInMemoryCollection(settings)));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Api:AllowAnonymous", "true")]
    [InlineData("Api:Auth:Token", Token)]
    public async Task An_api_open_beyond_loopback_starts_with_credentials_or_when_anonymous_is_explicit(string key, string value)
    {
        var settings = Ports("0.0.0.0");
        settings[key] = value;
        var app = PlatformHost.Build([], c => c.AddInMemoryCollection(settings));
        await app.DisposeAsync();
        Directory.Delete(settings["Storage:Root"]!, recursive: true);
    }

    private static Dictionary<string, string?> Ports(string apiBind) => new()
    {
        ["Rtmp:Port"] = "0",
        ["Http:Port"] = "0",
        ["Api:Port"] = "0",
        ["Api:BindAddress"] = apiBind,
        ["Management:Port"] = "0",
        ["Cluster:Port"] = "0",
        ["Storage:Root"] = Path.Combine(Path.GetTempPath(), "platform-auth-" + Guid.NewGuid().ToString("N")[..8]),
    };
}
