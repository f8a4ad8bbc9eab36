using Microsoft.Extensions.Logging;
using Platform.Streams.Access;

namespace Platform.Streams.Security;

/// <summary>
/// The built-in protection in the access pipeline (registered before hook checks): signed URLs, publish
/// keys, address lists and names. The log says which rule refused and why; the client only hears
/// <see cref="SecurityPolicy.AccessDenied"/>.
/// </summary>
public sealed class SecurityAccessCheck(SecurityRules rules, TimeProvider time, ILogger<SecurityAccessCheck> log) : IAccessCheck
{
    public ValueTask<AccessDecision> CheckAsync(AccessRequest request, CancellationToken cancellationToken)
    {
        var client = request.Client;
        var verdict = rules.Current.Decide(request.Action, client, time.GetUtcNow().ToUnixTimeSeconds());
        if (verdict.Allowed)
        {
            return ValueTask.FromResult(AccessDecision.Allow);
        }

        log.LogWarning("client {ClientId} from {Ip}: {Action} of {Stream} refused by security rules, {Detail}",
            client.Id, client.Ip, request.Action, LogText.Printable(client.Stream.ToString()), verdict.Detail);
        return ValueTask.FromResult(AccessDecision.Deny(verdict.ClientReason));
    }
}
