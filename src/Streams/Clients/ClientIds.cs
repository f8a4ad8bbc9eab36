using System.Security.Cryptography;

namespace Platform.Streams.Clients;

/// <summary>Short random client ids in SRS's style (8 base-36 characters).</summary>
public static class ClientIds
{
    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    public static string Next() => RandomNumberGenerator.GetString(Alphabet, 8);
}
