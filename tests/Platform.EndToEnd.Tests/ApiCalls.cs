using System.Net;
using System.Text.Json;

namespace Platform.EndToEnd.Tests;

/// <summary>Calls the HTTP API and reads its JSON answers.</summary>
public static class ApiCalls
{
    public static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpClient http, HttpMethod method, string url, string? authorization = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return (response.StatusCode, body);
    }

    public static Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(HttpClient http, string url) => SendAsync(http, HttpMethod.Get, url);

    /// <summary>Asserts an SRS error answer: the HTTP status, the code, and the envelope.</summary>
    public static void AssertError((HttpStatusCode Status, JsonElement Body) answer, HttpStatusCode status, int code)
    {
        Assert.Equal(status, answer.Status);
        Assert.Equal(code, answer.Body.GetProperty("code").GetInt32());
        AssertEnvelope(answer.Body);
    }

    public static void AssertEnvelope(JsonElement body)
    {
        Assert.Equal(JsonValueKind.Number, body.GetProperty("code").ValueKind);
        Assert.StartsWith("vid-", body.GetProperty("server").GetString(), StringComparison.Ordinal);
        Assert.Equal(8, body.GetProperty("service").GetString()!.Length);
        Assert.Equal(Environment.ProcessId.ToString(), body.GetProperty("pid").GetString());
    }

    public static string[] Names(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToArray();
}
