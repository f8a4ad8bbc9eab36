using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Platform.Api.Security;

namespace Platform.Api.Hosting;

/// <summary>
/// <c>platform drain [--Key=Value ...]</c>: asks the node of this configuration (its management port, with
/// <c>Management:Auth</c>) to drain and leave the cluster, and waits until it has exited. Kubernetes runs it
/// as the pod's <c>preStop</c> hook; an operator can run it before stopping a node by hand.
/// </summary>
public static class DrainCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter errors)
    {
        var overrides = args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal)).ToList();
        if (overrides.Count != args.Length)
        {
            errors.WriteLine("usage: drain [--Key=Value ...]   (the node's configuration overrides, e.g. --Management:Port=8558)");
            return 1;
        }

        var options = new PlatformOptions();
        TokenCommand.BuildConfiguration(overrides, null).Bind(options);
        var management = options.Management;
        var host = management.BindAddress is "0.0.0.0" or "::" ? "127.0.0.1" : management.BindAddress;
        using var http = new HttpClient { BaseAddress = new Uri($"http://{host}:{management.Port}/"), Timeout = TimeSpan.FromSeconds(10) };
        if (management.Auth.HasToken)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", management.Auth.Token);
        }
        else if (management.Auth.HasBasic)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{management.Auth.Username}:{management.Auth.Password}")));
        }

        string self;
        try
        {
            var members = await http.GetFromJsonAsync<JsonElement>("cluster/members");
            self = members.GetProperty("selfNode").GetString()!;
            using var leave = await http.PutAsync("cluster/members/" + Uri.EscapeDataString(self), new FormUrlEncodedContent([new("operation", "Leave")]));
            if (!leave.IsSuccessStatusCode)
            {
                errors.WriteLine($"drain: {http.BaseAddress} answered {(int)leave.StatusCode}: {await leave.Content.ReadAsStringAsync()}");
                return 2;
            }
        }
        catch (HttpRequestException ex)
        {
            errors.WriteLine($"drain: no node answers on {http.BaseAddress} ({ex.Message}); nothing to drain");
            return 0;
        }

        output.WriteLine($"drain: {self} is draining (up to {options.Cluster.MaxDrainTimeout.TotalSeconds:0} s for its clients); waiting for it to exit");
        var deadline = DateTime.UtcNow + options.Cluster.MaxDrainTimeout + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var alive = await http.GetAsync("alive");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                output.WriteLine($"drain: {self} has exited");
                return 0;
            }

            await Task.Delay(500);
        }

        errors.WriteLine($"drain: {self} still answers after the drain's time");
        return 3;
    }
}
