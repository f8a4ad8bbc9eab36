using System.Text;
using Platform.Api.Hosting;

namespace Platform.EndToEnd.Tests;

/// <summary>The API's credential checks and settings validation, without a server.</summary>
public class ApiAuthenticatorTests
{
    private const string Token = "0123456789abcdef-token";

    private static string Basic(string credentials) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials));

    [Fact]
    public void No_credentials_configured_lets_everything_through()
    {
        var auth = new ApiAuthenticator(new ApiAuthOptions());
        Assert.False(auth.Required);
        Assert.Equal(ApiAuthResult.Allowed, auth.Check(null));
        Assert.Empty(auth.Challenges);
    }

    [Fact]
    public void Bearer_and_basic_are_each_accepted_and_nothing_else()
    {
        var auth = new ApiAuthenticator(new ApiAuthOptions { Token = Token, Username = "admin", Password = "secret-pass" });
        Assert.Equal(ApiAuthResult.Allowed, auth.Check("Bearer " + Token));
        Assert.Equal(ApiAuthResult.Allowed, auth.Check("bearer  " + Token + " "));
        Assert.Equal(ApiAuthResult.Allowed, auth.Check(Basic("admin:secret-pass")));
        Assert.Equal(ApiAuthResult.Wrong, auth.Check("Bearer " + Token + "x"));
        Assert.Equal(ApiAuthResult.Wrong, auth.Check("Bearer " + Token[..^1]));
        Assert.Equal(ApiAuthResult.Wrong, auth.Check(Basic("admin:secret-pasS")));
        Assert.Equal(ApiAuthResult.Wrong, auth.Check(Basic("admin")));
        Assert.Equal(ApiAuthResult.Wrong, auth.Check("Basic %%%not-base64"));
        Assert.Equal(ApiAuthResult.Missing, auth.Check(null));
        Assert.Equal(ApiAuthResult.Missing, auth.Check(""));
        Assert.Equal(ApiAuthResult.Missing, auth.Check(Token));
        Assert.Equal(ApiAuthResult.Missing, auth.Check("Digest " + Token));
        Assert.Equal(["Bearer realm=\"platform-api\"", "Basic realm=\"platform-api\", charset=\"UTF-8\""], auth.Challenges);
    }

    [Fact]
    public void Only_the_configured_scheme_is_accepted()
    {
        var bearerOnly = new ApiAuthenticator(new ApiAuthOptions { Token = Token });
        Assert.Equal(ApiAuthResult.Missing, bearerOnly.Check(Basic("admin:" + Token)));
        Assert.Equal(["Bearer realm=\"platform-api\""], bearerOnly.Challenges);
        var basicOnly = new ApiAuthenticator(new ApiAuthOptions { Username = "admin", Password = "secret-pass" });
        Assert.Equal(ApiAuthResult.Missing, basicOnly.Check("Bearer secret-pass"));
    }

    [Theory]
    [InlineData("127.0.0.1", null, null, null, false, null)]
    [InlineData("::1", null, null, null, false, null)]
    [InlineData("0.0.0.0", null, null, null, false, "Api:BindAddress = 0.0.0.0")]
    [InlineData("10.1.2.3", null, null, null, false, "Api:Auth")]
    [InlineData("0.0.0.0", null, null, null, true, null)]
    [InlineData("0.0.0.0", Token, null, null, false, null)]
    [InlineData("0.0.0.0", null, "admin", "secret-pass", false, null)]
    [InlineData("127.0.0.1", "short", null, null, false, "Api:Auth:Token")]
    [InlineData("127.0.0.1", "0123456789 abcdef", null, null, false, "Api:Auth:Token")]
    [InlineData("127.0.0.1", null, "admin", null, false, "Api:Auth:Password")]
    [InlineData("127.0.0.1", null, null, "secret-pass", false, "Api:Auth:Username")]
    [InlineData("127.0.0.1", null, "ad:min", "secret-pass", false, "Api:Auth:Username")]
    [InlineData("127.0.0.1", null, "admin", "short", false, "Api:Auth:Password")]
    public void Settings_are_validated_with_the_key_that_is_wrong(string bind, string? token, string? user, string? password, bool anonymous, string? expected)
    {
        var problem = ApiAuthenticator.Validate(new ApiAuthOptions { Token = token, Username = user, Password = password }, bind, anonymous);
        if (expected is null)
        {
            Assert.Null(problem);
        }
        else
        {
            Assert.NotNull(problem);
            Assert.Contains(expected, problem, StringComparison.Ordinal);
            Assert.DoesNotContain("secret-pass", problem, StringComparison.Ordinal);
        }
    }
}
