using Platform.Streams.Security;

namespace Platform.Streams.Tests.Security;

public class StreamTokenTests
{
    private const string PublishSecret = "publish-secret-0123456789";
    private const string PlaySecret = "play-secret-0123456789ab";
    private static readonly StreamKey Cam1 = new(StreamKey.DefaultVhost, "live", "cam1");

    // Computed with an independent HMAC-SHA256 (Python's hmac module and openssl dgst -hmac) over the
    // documented message "{action}\n/{vhost}/{app}/{stream}\n{expires}".
    [Theory]
    [InlineData(PublishSecret, TokenAction.Publish, StreamKey.DefaultVhost, "live", "cam1", 1700000000L, "a7471b311ffaddc502e05e17bc95cbeb972c7f53d034478661b5318cbd80912f")]
    [InlineData(PlaySecret, TokenAction.Play, StreamKey.DefaultVhost, "live", "cam1", 1700000000L, "7586b6c9ceb5c4c798356646baa56d9641baee04e1f324d922fb6bec600787cc")]
    [InlineData(PlaySecret, TokenAction.Play, "example.com", "live", "cam1", 4102444800L, "6eeb02dac9c086570d824dd7f159b8478befdb9fb6d14ed597155c8f583ed1df")]
    [InlineData("sécret-ünicode-0123", TokenAction.Publish, StreamKey.DefaultVhost, "live", "é", 1700000000L, "8333b4f5a1fff7a76f81535ba81660a226afaf341b8df4cb50d3c19c8701141b")]
    [InlineData("0123456789abcdef0123", TokenAction.Play, StreamKey.DefaultVhost, "live", "cam1", 1795649007L, "5d9138b9d5d7eeb56f765a500e20925af22108025339df446d412ccbc5454b17")]
    public void Tokens_match_golden_vectors(string secret, TokenAction action, string vhost, string app, string stream, long expires, string expected)
    {
        var key = new StreamKey(vhost, app, stream);
        Assert.Equal(expected, StreamToken.Sign(secret, action, key, expires));
        Assert.Equal($"expires={expires}&token={expected}", StreamToken.Query(secret, action, key, expires));
        Assert.True(StreamToken.Verify(secret, action, key, $"expires={expires}&token={expected}", expires).IsValid);
    }

    [Fact]
    public void The_signed_message_names_action_path_and_expiry()
    {
        Assert.Equal("publish\n/__defaultVhost__/live/cam1\n1700000000", StreamToken.Message(TokenAction.Publish, Cam1, 1700000000));
        Assert.Equal("play\n/v/a/s\n5", StreamToken.Message(TokenAction.Play, new StreamKey("v", "a", "s"), 5));
    }

    [Fact]
    public void Every_signed_part_is_bound_to_the_token()
    {
        const long expires = 1700000000;
        var query = StreamToken.Query(PlaySecret, TokenAction.Play, Cam1, expires);
        var now = expires - 10;
        Assert.True(StreamToken.Verify(PlaySecret, TokenAction.Play, Cam1, query, now).IsValid);

        // Another action, vhost, app, stream, secret, or expiry: tampered.
        Assert.Equal(TokenProblem.Tampered, StreamToken.Verify(PlaySecret, TokenAction.Publish, Cam1, query, now).Problem);
        Assert.Equal(TokenProblem.Tampered, StreamToken.Verify(PlaySecret, TokenAction.Play, Cam1 with { Vhost = "other" }, query, now).Problem);
        Assert.Equal(TokenProblem.Tampered, StreamToken.Verify(PlaySecret, TokenAction.Play, Cam1 with { App = "live2" }, query, now).Problem);
        Assert.Equal(TokenProblem.Tampered, StreamToken.Verify(PlaySecret, TokenAction.Play, Cam1 with { Stream = "cam2" }, query, now).Problem);
        Assert.Equal(TokenProblem.Tampered, StreamToken.Verify(PublishSecret, TokenAction.Play, Cam1, query, now).Problem);
        var later = query.Replace($"expires={expires}", $"expires={expires + 3600}", StringComparison.Ordinal);
        Assert.Equal(TokenProblem.Tampered, StreamToken.Verify(PlaySecret, TokenAction.Play, Cam1, later, now).Problem);

        // One hex digit of the signature changed, at each end.
        var token = StreamToken.Sign(PlaySecret, TokenAction.Play, Cam1, expires);
        foreach (var index in new[] { 0, token.Length - 1 })
        {
            var flipped = token.ToCharArray();
            flipped[index] = flipped[index] == '0' ? '1' : '0';
            var check = StreamToken.Verify(PlaySecret, TokenAction.Play, Cam1, $"expires={expires}&token={new string(flipped)}", now);
            Assert.Equal(TokenProblem.Tampered, check.Problem);
            Assert.Contains("tampered", check.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_token_is_valid_through_its_expiry_second_and_expired_after()
    {
        const long expires = 1700000000;
        var query = StreamToken.Query(PlaySecret, TokenAction.Play, Cam1, expires);
        Assert.True(StreamToken.Verify(PlaySecret, TokenAction.Play, Cam1, query, expires).IsValid);
        var check = StreamToken.Verify(PlaySecret, TokenAction.Play, Cam1, query, expires + 1);
        Assert.Equal(TokenProblem.Expired, check.Problem);
        Assert.Equal("expired token (expired at 1700000000, 1 s ago)", check.Detail);
    }

    [Fact]
    public void An_expired_token_with_a_forged_expiry_is_tampered_not_expired()
    {
        var query = StreamToken.Query(PlaySecret, TokenAction.Play, Cam1, 100);
        var forged = query.Replace("expires=100", "expires=99", StringComparison.Ordinal);
        Assert.Equal(TokenProblem.Tampered, StreamToken.Verify(PlaySecret, TokenAction.Play, Cam1, forged, 1000).Problem);
    }

    [Theory]
    [InlineData("", TokenProblem.Missing, "missing token (no token parameter)")]
    [InlineData("expires=1700000000", TokenProblem.Missing, "missing token (no token parameter)")]
    [InlineData("token=", TokenProblem.Missing, "missing token (no token parameter)")]
    [InlineData("token=7586b6c9ceb5c4c798356646baa56d9641baee04e1f324d922fb6bec600787cc", TokenProblem.Missing, "missing token (no expires parameter)")]
    [InlineData("expires=-1&token=7586b6c9ceb5c4c798356646baa56d9641baee04e1f324d922fb6bec600787cc", TokenProblem.Tampered, "tampered token (expires is not Unix seconds)")]
    [InlineData("expires=1e9&token=7586b6c9ceb5c4c798356646baa56d9641baee04e1f324d922fb6bec600787cc", TokenProblem.Tampered, "tampered token (expires is not Unix seconds)")]
    [InlineData("expires=9999999999999&token=7586b6c9ceb5c4c798356646baa56d9641baee04e1f324d922fb6bec600787cc", TokenProblem.Tampered, "tampered token (expires is not Unix seconds)")]
    [InlineData("expires=1700000000&token=7586b6c9", TokenProblem.Tampered, "tampered token (not 64 hex digits)")]
    [InlineData("expires=1700000000&token=zz86b6c9ceb5c4c798356646baa56d9641baee04e1f324d922fb6bec600787cc", TokenProblem.Tampered, "tampered token (not 64 hex digits)")]
    [InlineData("expires=1700000000&token=7586b6c9ceb5c4c798356646baa56d9641baee04e1f324d922fb6bec600787cc00", TokenProblem.Tampered, "tampered token (not 64 hex digits)")]
    public void Missing_and_malformed_parameters_are_named(string param, TokenProblem problem, string detail)
    {
        var check = StreamToken.Verify(PlaySecret, TokenAction.Play, Cam1, param, 1600000000);
        Assert.Equal(problem, check.Problem);
        Assert.Equal(detail, check.Detail);
    }

    [Fact]
    public void Uppercase_hex_and_other_parameters_are_accepted_and_the_last_token_wins()
    {
        const string token = "7586b6c9ceb5c4c798356646baa56d9641baee04e1f324d922fb6bec600787cc";
        Assert.True(StreamToken.Verify(PlaySecret, TokenAction.Play, Cam1, $"vhost=x&expires=1700000000&TOKEN={token.ToUpperInvariant()}&a=b", 1).IsValid);
        Assert.True(StreamToken.Verify(PlaySecret, TokenAction.Play, Cam1, $"token=bad&expires=1700000000&token={token}", 1).IsValid);
        Assert.False(StreamToken.Verify(PlaySecret, TokenAction.Play, Cam1, $"expires=1700000000&token={token}&token=bad", 1).IsValid);
    }

    [Theory]
    [InlineData("publish", true, TokenAction.Publish)]
    [InlineData("PLAY", true, TokenAction.Play)]
    [InlineData("view", false, TokenAction.Play)]
    [InlineData(null, false, TokenAction.Play)]
    public void Actions_parse(string? text, bool ok, TokenAction action)
    {
        Assert.Equal(ok, StreamToken.TryParseAction(text, out var parsed));
        if (ok)
        {
            Assert.Equal(action, parsed);
        }
    }
}
