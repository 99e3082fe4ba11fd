using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Finsoft.Api.Host;

/// <summary>Who sits in front of the API and may speak for the client (`Finsoft:ForwardedHeaders`).</summary>
public sealed class ForwardedHeadersSettings
{
    /// <summary>Addresses of the proxies (HAProxy, a load balancer) whose `X-Forwarded-For` and `-Proto` are believed.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of such proxies, in CIDR form (`10.0.0.0/8`).</summary>
    public List<string> KnownNetworks { get; set; } = [];
}

/// <summary>
/// What every response says about itself, and whose word on the client's address is taken. Forwarded headers are
/// honoured only from the proxies configured (none by default, not even loopback), so rate limits and the audit trail
/// see the real client behind HAProxy and a client cannot forge its address by sending the header itself.
/// </summary>
public static class EdgeSecurity
{
    public static void UseFinsoftEdge(this WebApplication app, ForwardedHeadersSettings forwarded)
    {
        if (forwarded.KnownProxies.Count > 0 || forwarded.KnownNetworks.Count > 0)
        {
            var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in forwarded.KnownProxies)
            {
                options.KnownProxies.Add(IPAddress.TryParse(proxy, out var address) ? address
                    : throw new StartupException($"Finsoft:ForwardedHeaders:KnownProxies: '{proxy}' is not an IP address."));
            }
            foreach (var network in forwarded.KnownNetworks)
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var parsed) ? parsed
                    : throw new StartupException($"Finsoft:ForwardedHeaders:KnownNetworks: '{network}' is not a network in CIDR form."));
            }
            app.UseForwardedHeaders(options);
        }
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts(); // only ever sent on HTTPS responses
        }
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                // Anything answered to a signed-in caller is theirs alone: no cache, shared or private, keeps it.
                if (context.Request.Headers.Authorization.Count > 0 || context.User.Identity?.IsAuthenticated == true)
                {
                    headers.CacheControl = "no-store";
                }
                return Task.CompletedTask;
            });
            return next(context);
        });
    }
}
