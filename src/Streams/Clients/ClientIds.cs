using System.Security.Cryptography;

namespace Platform.Streams.Clients;

/// <summary>Short random client ids in SRS's style (8 base-36 characters).</summary>
public static class ClientIds
{
    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    public static string Next() => RandomNumberGenerator.GetString(Alphabet, 8);

    /// <summary>Whether an id sent back by a client (an HLS context) has the shape of one made here.</summary>
    public static bool IsWellFormed(string? id)
    {
        if (id is null || id.Length != 8)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (Alphabet.IndexOf(c, StringComparison.Ordinal) < 0)
            {
                return false;
            }
        }

        return true;
    }
}
