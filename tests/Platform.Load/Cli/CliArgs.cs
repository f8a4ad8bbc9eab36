using System.Globalization;

namespace Platform.Load.Cli;

/// <summary>Command line of the form <c>MODE [-x VALUE | --flag]... POSITIONAL</c>.</summary>
public sealed class CliArgs
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    private CliArgs(string mode) => Mode = mode;

    public string Mode { get; }

    public List<string> Positional { get; } = [];

    /// <summary>Parses <paramref name="args"/>; options named in <paramref name="flags"/> take no value.</summary>
    public static CliArgs Parse(string[] args, IReadOnlySet<string> flags)
    {
        if (args.Length == 0)
        {
            throw new UsageException("missing mode");
        }

        var result = new CliArgs(args[0]);
        for (var i = 1; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg.Length > 1 && arg[0] == '-' && !double.TryParse(arg, CultureInfo.InvariantCulture, out _))
            {
                if (flags.Contains(arg))
                {
                    result._flags.Add(arg);
                }
                else if (i + 1 < args.Length)
                {
                    result._values[arg] = args[++i];
                }
                else
                {
                    throw new UsageException($"option {arg} needs a value");
                }
            }
            else
            {
                result.Positional.Add(arg);
            }
        }

        return result;
    }

    public bool Has(string flag) => _flags.Contains(flag);

    public string? String(string name) => _values.GetValueOrDefault(name);

    public string RequiredString(string name) => String(name) ?? throw new UsageException($"option {name} is required");

    public int Int(string name, int fallback, int min = 0) =>
        (int)Double(name, fallback, min);

    public double Double(string name, double fallback, double min = 0)
    {
        if (String(name) is not { } text)
        {
            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min)
        {
            throw new UsageException($"option {name}: '{text}' is not a number >= {min}");
        }

        return value;
    }

    /// <summary>The single positional argument (the URL).</summary>
    public string Single(string what) =>
        Positional.Count == 1 ? Positional[0] : throw new UsageException($"expected exactly one {what}");

    /// <summary>Rejects options this mode does not know, so typos do not pass silently.</summary>
    public void AllowOnly(params string[] names)
    {
        foreach (var key in _values.Keys.Concat(_flags))
        {
            if (Array.IndexOf(names, key) < 0)
            {
                throw new UsageException($"unknown option {key} for mode {Mode}");
            }
        }
    }
}

/// <summary>A command line mistake: print the usage and exit with 2.</summary>
public sealed class UsageException(string message) : Exception(message);
