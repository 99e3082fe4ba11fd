using System.Text;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.MoneyPath.Providers.Simulated;

/// <summary>
/// The simulated providers' delivery: posts each due event to Finsoft's webhook over HTTP, signed at the
/// moment of sending, as a real provider does. An event not acknowledged with a 2xx is tried again with a
/// growing delay; when configured, each is delivered twice.
/// </summary>
public sealed class SimulatedEventSender(IServiceScopeFactory scopes, IHttpClientFactory http, IServer server, IOptions<FinsoftOptions> options,
    TimeProvider time, ILogger<SimulatedEventSender> logger) : PollingWorker(time, logger)
{
    public const string HttpClientName = "simulated-providers";

    protected override TimeSpan Interval => TimeSpan.FromMilliseconds(options.Value.Payments.PollMilliseconds);

    protected override Task RunOnceAsync(CancellationToken ct) => DeliverDueAsync(ct);

    public async Task DeliverDueAsync(CancellationToken ct)
    {
        if (WebhookBase() is not { } baseUrl)
        {
            return; // not listening yet
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        var providers = scope.ServiceProvider.GetRequiredService<PaymentProviders>();
        var now = Time.UtcNow();
        var due = await db.SimulatedProviderEvents.AsNoTracking().Where(e => e.DeliveredAt == null && e.DueAt <= now)
            .OrderBy(e => e.DueAt).Take(20).ToListAsync(ct);
        foreach (var row in due)
        {
            // Claimed by pushing its due time out: another node reading the same row loses the conditional update.
            var retryAt = now + Backoff(row.Attempts);
            if (await db.SimulatedProviderEvents.Where(e => e.Id == row.Id && e.DueAt == row.DueAt && e.DeliveredAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(e => e.DueAt, retryAt).SetProperty(e => e.Attempts, e => e.Attempts + 1), ct) != 1)
            {
                continue;
            }
            var provider = (SimulatedProvider)providers.Named(row.Provider)!;
            var delivered = await PostAsync(baseUrl, provider, row.Payload, ct);
            if (delivered && options.Value.Payments.Provider(row.Provider).DuplicateEvents)
            {
                await PostAsync(baseUrl, provider, row.Payload, ct);
            }
            if (delivered)
            {
                await db.SimulatedProviderEvents.Where(e => e.Id == row.Id).ExecuteUpdateAsync(s => s.SetProperty(e => e.DeliveredAt, Time.UtcNow()), ct);
            }
        }
    }

    private async Task<bool> PostAsync(Uri baseUrl, SimulatedProvider provider, string payload, CancellationToken ct)
    {
        var body = Encoding.UTF8.GetBytes(payload);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUrl, $"api/v1/payments/webhook/{provider.Name}"))
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } },
        };
        foreach (var (name, value) in provider.Sign(body, Time.GetUtcNow()))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        try
        {
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, ct);
            if (!response.IsSuccessStatusCode)
            {
                logger.LogWarning("{Provider} event delivery answered {Status}; will retry", provider.Name, (int)response.StatusCode);
            }
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException e)
        {
            logger.LogWarning("{Provider} event delivery failed ({Message}); will retry", provider.Name, e.Message);
            return false;
        }
    }

    /// <summary>1 s, 2 s, 4 s … capped at ten minutes, like a provider's own retries (only shorter).</summary>
    private static TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(Math.Min(600, Math.Pow(2, Math.Min(attempts, 10))));

    /// <summary>The configured webhook base, or this process's first listening address (a wildcard host read as loopback).</summary>
    private Uri? WebhookBase()
    {
        if (options.Value.Payments.WebhookBaseUrl is { Length: > 0 } configured)
        {
            return new Uri(configured.TrimEnd('/') + "/");
        }
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is null)
        {
            return null;
        }
        var local = address.Replace("://+", "://127.0.0.1").Replace("://*", "://127.0.0.1").Replace("://0.0.0.0", "://127.0.0.1")
            .Replace("://[::]", "://127.0.0.1");
        return Uri.TryCreate(local.TrimEnd('/') + "/", UriKind.Absolute, out var uri) ? uri : null;
    }
}
