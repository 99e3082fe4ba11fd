using System.Net;
using System.Net.Sockets;

namespace Finsoft.Api.Features.Webhooks;

/// <summary>
/// Keeps webhooks off addresses a customer must not reach through us (SSRF): loopback, private ranges,
/// link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast and reserved space, in IPv4
/// and IPv6 — and the IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo), which
/// could lead back into a private network. Checked when an endpoint is registered, and again on every connection,
/// against the address actually dialled, so a name that later resolves elsewhere (DNS rebinding) is refused too.
/// </summary>
public static class TargetGuard
{
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] is 0 or 10 or 127 || b[0] >= 224 // this network, private, loopback, multicast and reserved
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127) // carrier-grade NAT
                || (b[0] == 169 && b[1] == 254) // link-local, cloud metadata
                || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && b[2] is 0 or 2) // IETF protocol assignments, documentation
                || (b[0] == 198 && b[1] is 18 or 19) // benchmarking
                || (b[0] == 198 && b[1] == 51 && b[2] == 100) || (b[0] == 203 && b[1] == 0 && b[2] == 113)); // documentation
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                || (b[0] & 0xFE) == 0xFC // unique local fc00::/7
                || b.Take(12).All(x => x == 0) // ::/96: unspecified, loopback, IPv4-compatible
                || (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B) // NAT64 64:ff9b::/96 and 64:ff9b:1::/48
                || (b[0] == 0x20 && b[1] == 0x02) // 6to4 2002::/16
                || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00) // Teredo 2001::/32
                || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8)); // documentation 2001:db8::/32
        }
        return false;
    }

    /// <summary>Why the URL may not be a webhook target, or null when it may: http(s), no credentials in it, and every address it resolves to public.</summary>
    public static async Task<string?> RefusalAsync(string? url, bool allowPrivate, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return "url must be an absolute http or https URL.";
        }
        if (url!.Length > 2_000 || uri.IdnHost.Length > 253 || !string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Fragment))
        {
            return "url must not carry credentials or a fragment, and must be at most 2,000 characters with a host of at most 253.";
        }
        if (allowPrivate)
        {
            return null;
        }
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(uri.IdnHost, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(uri.IdnHost, ct);
        }
        catch (Exception e) when (e is SocketException or ArgumentException)
        {
            return "url's host does not resolve.";
        }
        return addresses.Length > 0 && addresses.All(IsPublic) ? null : "url must point to a public address, not a private, loopback or link-local one.";
    }

    /// <summary>The connection step of the webhook HTTP client: dials only public addresses (unless allowed), whatever the name resolved to.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> Connect(bool allowPrivate) => async (context, ct) =>
    {
        var addresses = IPAddress.TryParse(context.DnsEndPoint.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, ct);
        var target = addresses.FirstOrDefault(a => allowPrivate || IsPublic(a))
            ?? throw new HttpRequestException($"{context.DnsEndPoint.Host} resolves to no public address; webhooks are not sent there.");
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(target, context.DnsEndPoint.Port), ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    };
}
