using Platform.Api.Hosting;

namespace Platform.EndToEnd.Tests;

/// <summary>What a reload logs: each changed key with its old and new value, secrets without theirs.</summary>
public class ConfigChangesTests
{
    [Fact]
    public void Changed_added_and_removed_keys_are_listed_in_key_order_and_secrets_keep_their_values_to_themselves()
    {
        // Keys compare as configuration keys do: without regard to case (the snapshots are made so).
        var before = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Apps:0:Hls:Fragment"] = "00:00:04",
            ["Apps:0:App"] = "live",
            ["Security:Rules:0:PlaySecret"] = "old-secret-value",
            ["Hooks:OnPublish:0"] = "http://127.0.0.1:9/hook",
            ["Streams:GopCache"] = "true",
        };
        var after = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Apps:0:Hls:Fragment"] = "00:00:02",
            ["apps:0:app"] = "live",
            ["Apps:1:App"] = "studio",
            ["Security:Rules:0:PlaySecret"] = "new-secret-value",
            ["Api:Auth:Token"] = "a-new-token-0123456789",
            ["Streams:GopCache"] = "true",
        };

        var changes = ConfigChanges.Diff(before, after);

        Assert.Equal(
            [
                "Api:Auth:Token: added",
                "Apps:0:Hls:Fragment: 00:00:04 -> 00:00:02",
                "Apps:1:App: added (studio)",
                "Hooks:OnPublish:0: removed",
                "Security:Rules:0:PlaySecret: changed",
            ],
            changes);
        Assert.DoesNotContain(changes, c => c.Contains("secret-value", StringComparison.Ordinal) || c.Contains("0123456789", StringComparison.Ordinal));
        Assert.Empty(ConfigChanges.Diff(after, new Dictionary<string, string?>(after, StringComparer.OrdinalIgnoreCase)));
    }

    [Fact]
    public async Task A_node_logs_what_a_reload_of_its_settings_file_changed()
    {
        var folder = Path.Combine(Path.GetTempPath(), "platform-changes-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "settings.json");
        await File.WriteAllTextAsync(file, """{ "Apps": [ { "App": "live", "Hls": { "Fragment": "00:00:04" } } ], "Security": { "Rules": [ { "App": "secure", "PlaySecret": "first-secret-0123456789" } ] } }""");
        try
        {
            await using var node = await ServerProcess.StartAsync(new Dictionary<string, string?> { ["config"] = file, ["Logging:LogLevel:Platform"] = "Information" }, Path.Combine(folder, "data"));
            var edited = file + ".new";
            await File.WriteAllTextAsync(edited, """{ "Apps": [ { "App": "live", "Hls": { "Fragment": "00:00:02" } } ], "Security": { "Rules": [ { "App": "secure", "PlaySecret": "second-secret-0123456789" } ] } }""");
            File.Move(edited, file, overwrite: true);
            await Eventually.TrueAsync(() => node.Output.Contains("configuration reload: 2 change(s)", StringComparison.Ordinal), TimeSpan.FromSeconds(20), "the reload's changes logged");
            Assert.Contains("Apps:0:Hls:Fragment: 00:00:04 -> 00:00:02", node.Output, StringComparison.Ordinal);
            Assert.Contains("Security:Rules:0:PlaySecret: changed", node.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("second-secret", node.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
