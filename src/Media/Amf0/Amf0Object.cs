using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Platform.Media.Amf0;

/// <summary>
/// An AMF0 anonymous object (marker 0x03) or, when <see cref="IsEcmaArray"/> is set, an ECMA array
/// (marker 0x08): an ordered list of properties. Keys are not required to be unique on the wire; lookups
/// return the first match.
/// </summary>
[SuppressMessage("Naming", "CA1710:Identifiers should have correct suffix", Justification = "Named after the AMF0 type.")]
public sealed class Amf0Object : IEnumerable<KeyValuePair<string, object?>>
{
    private readonly List<KeyValuePair<string, object?>> _properties;

    public Amf0Object()
        : this(isEcmaArray: false)
    {
    }

    public Amf0Object(bool isEcmaArray, int capacity = 0)
    {
        IsEcmaArray = isEcmaArray;
        _properties = new List<KeyValuePair<string, object?>>(capacity);
    }

    /// <summary>True for an ECMA array (marker 0x08), false for an anonymous object (marker 0x03).</summary>
    public bool IsEcmaArray { get; init; }

    public int Count => _properties.Count;

    /// <summary>The value of the first property named <paramref name="key"/>, or null if there is none.</summary>
    public object? this[string key] => TryGetValue(key, out var value) ? value : null;

    /// <summary>The property at <paramref name="index"/>, in wire order.</summary>
    public KeyValuePair<string, object?> this[int index] => _properties[index];

    public void Add(string key, object? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        _properties.Add(new KeyValuePair<string, object?>(key, value));
    }

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, out object? value)
    {
        var index = IndexOf(key);
        value = index >= 0 ? _properties[index].Value : null;
        return index >= 0;
    }

    public bool TryGetString(string key, [NotNullWhen(true)] out string? value)
    {
        value = this[key] as string;
        return value is not null;
    }

    public bool TryGetNumber(string key, out double value)
    {
        if (this[key] is double number)
        {
            value = number;
            return true;
        }

        value = 0;
        return false;
    }

    public bool TryGetBoolean(string key, out bool value)
    {
        if (this[key] is bool flag)
        {
            value = flag;
            return true;
        }

        value = false;
        return false;
    }

    public List<KeyValuePair<string, object?>>.Enumerator GetEnumerator() => _properties.GetEnumerator();

    IEnumerator<KeyValuePair<string, object?>> IEnumerable<KeyValuePair<string, object?>>.GetEnumerator() =>
        GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string key)
    {
        for (var i = 0; i < _properties.Count; i++)
        {
            if (string.Equals(_properties[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
