using System.Security.Cryptography;

namespace Platform.Api.Hosting;

/// <summary>
/// SRS's envelope ids: <c>server</c> is stable across restarts (kept under the storage root),
/// <c>service</c> is new at each process start.
/// </summary>
public sealed class NodeIdentity
{
    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    public NodeIdentity(string storageRoot)
    {
        var file = Path.Combine(storageRoot, "server-id");
        if (File.Exists(file) && File.ReadAllText(file).Trim() is { Length: > 0 } existing)
        {
            ServerId = existing;
        }
        else
        {
            ServerId = "vid-" + RandomNumberGenerator.GetString(Alphabet, 7);
            File.WriteAllText(file, ServerId);
        }

        ServiceId = RandomNumberGenerator.GetString(Alphabet, 8);
        Pid = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public string ServerId { get; }

    public string ServiceId { get; }

    public string Pid { get; }
}
