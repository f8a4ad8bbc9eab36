using Microsoft.Extensions.Primitives;

namespace Platform.Api.Hosting;

/// <summary>
/// Settings that follow the configuration when it reloads (an edited appsettings.json): read
/// <see cref="Current"/> at each decision, so new connections get the new values and live ones keep
/// theirs. A reload whose values are invalid (or cannot be bound) is logged with the key and ignored:
/// the previous valid values stay. The first values are checked at start-up by the host.
/// </summary>
public sealed class ReloadableOptions<T> : IDisposable
    where T : class
{
    private readonly IConfiguration _configuration;
    private readonly Func<IConfiguration, T> _bind;
    private readonly Func<T, string?> _validate;
    private readonly ILogger _log;
    private readonly IDisposable _subscription;
    private T _current;
    private int _applied;
    private int _rejected;

    public ReloadableOptions(IConfiguration configuration, T initial, Func<IConfiguration, T> bind, Func<T, string?> validate, ILogger log)
    {
        _configuration = configuration;
        _bind = bind;
        _validate = validate;
        _log = log;
        _current = initial;
        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, Reload);
    }

    public T Current => Volatile.Read(ref _current);

    /// <summary>How many reloads were applied and how many were refused (tests wait on these).</summary>
    public (int Applied, int Rejected) Reloads => (Volatile.Read(ref _applied), Volatile.Read(ref _rejected));

    public void Dispose() => _subscription.Dispose();

    private void Reload()
    {
        T next;
        try
        {
            next = _bind(_configuration);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or ArgumentException)
        {
            Interlocked.Increment(ref _rejected);
            _log.LogError("configuration reload ignored, previous values kept: {Error}", ex.Message);
            return;
        }

        var problem = _validate(next);
        if (problem is not null)
        {
            Interlocked.Increment(ref _rejected);
            _log.LogError("configuration reload ignored, previous values kept: {Problem}", problem);
            return;
        }

        Volatile.Write(ref _current, next);
        Interlocked.Increment(ref _applied);
    }
}
