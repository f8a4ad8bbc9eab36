namespace Platform.Media.Codecs;

/// <summary>Profile and level names as the server's API reports them (the names SRS uses).</summary>
internal static class CodecNames
{
    public static string H264Profile(byte profileIdc) => profileIdc switch
    {
        66 => "Baseline",
        77 => "Main",
        88 => "Extended",
        100 => "High",
        110 => "High10",
        122 => "High422",
        244 => "High444",
        44 => "CAVLC444",
        _ => "Other",
    };

    /// <summary>level_idc / 10 ("3.1", "4"), with level 1b signalled by 9 or by 11 + constraint_set3.</summary>
    public static string H264Level(byte profileIdc, byte constraintFlags, byte levelIdc)
    {
        var constraintSet3 = (constraintFlags & 0x10) != 0;
        if (levelIdc == 9 || (levelIdc == 11 && constraintSet3 && profileIdc is 66 or 77 or 88))
        {
            return "1b";
        }

        return Decimal(levelIdc / 10, levelIdc % 10);
    }

    public static string HevcProfile(byte profileIdc) => profileIdc switch
    {
        1 => "Main",
        2 => "Main10",
        3 => "MainStillPicture",
        4 => "RExt",
        5 => "HighThroughput",
        9 => "SCC",
        _ => "Other",
    };

    /// <summary>general_level_idc / 30 ("3.1", "4", "5.2").</summary>
    public static string HevcLevel(byte levelIdc) => Decimal(levelIdc / 30, levelIdc % 30 / 3);

    public static string Av1Profile(int seqProfile) => seqProfile switch
    {
        0 => "Main",
        1 => "High",
        2 => "Professional",
        _ => "Other",
    };

    /// <summary>seq_level_idx to "X.Y" with X = 2 + (idx >> 2), Y = idx &amp; 3 (AV1 spec annex A.3).</summary>
    public static string Av1Level(int seqLevelIdx) =>
        seqLevelIdx >= 31 ? "Max" : $"{2 + (seqLevelIdx >> 2)}.{seqLevelIdx & 3}";

    public static string Vp9Profile(int profile) => $"Profile{profile}";

    /// <summary>VP9 level 10, 11, 20, ... as "1", "1.1", "2"; 0 (undefined) as "".</summary>
    public static string Vp9Level(int level) => level == 0 ? "" : Decimal(level / 10, level % 10);

    public static string AacProfile(int objectType) => objectType switch
    {
        1 => "Main",
        2 => "LC",
        3 => "SSR",
        4 => "LTP",
        5 => "HE",
        29 => "HEv2",
        _ => "Other",
    };

    private static string Decimal(int major, int minor) =>
        minor == 0 ? major.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{major}.{minor}";
}
