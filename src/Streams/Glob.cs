namespace Platform.Streams;

/// <summary>Name patterns with <c>*</c> (any run) and <c>?</c> (any one character), case-sensitive.</summary>
public static class Glob
{
    public static bool Matches(string pattern, string value) => Match(pattern.AsSpan(), value.AsSpan());

    private static bool Match(ReadOnlySpan<char> pattern, ReadOnlySpan<char> value)
    {
        while (pattern.Length > 0)
        {
            if (pattern[0] == '*')
            {
                pattern = pattern.TrimStart('*');
                if (pattern.Length == 0)
                {
                    return true;
                }

                for (var i = 0; i <= value.Length; i++)
                {
                    if (Match(pattern, value[i..]))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (value.Length == 0 || (pattern[0] != '?' && pattern[0] != value[0]))
            {
                return false;
            }

            pattern = pattern[1..];
            value = value[1..];
        }

        return value.Length == 0;
    }
}
