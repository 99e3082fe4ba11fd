using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.Webhooks;

/// <summary>
/// Sends what is due, at least once and in order per endpoint: an endpoint's delivery waits while an earlier
/// one of the same endpoint is still pending, and different endpoints are sent to side by side, so a slow one
/// holds up only itself. A try that does not end in a 2xx is tried again on the schedule; after the last it has
/// failed. An endpoint that has failed for <see cref="WebhookOptions.DisableAfterSeconds"/> without a success is disabled.
/// </summary>
public sealed class WebhookSender(IServiceScopeFactory scopes, IHttpClientFactory http, IOptions<FinsoftOptions> options, TimeProvider time,
    ILogger<WebhookSender> logger) : PollingWorker(time, logger)
{
    public const string HttpClientName = "webhooks";

    private WebhookOptions Settings => options.Value.Webhooks;

    protected override TimeSpan Interval => TimeSpan.FromMilliseconds(Settings.PollMilliseconds);

    protected override Task RunOnceAsync(CancellationToken ct) => SendDueAsync(ct);

    public async Task SendDueAsync(CancellationToken ct)
    {
        List<WebhookDeliveryRow> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
            var now = Time.UtcNow();
            due = await db.WebhookDeliveries.AsNoTracking()
                .Where(d => d.Status == DeliveryStatus.Pending && d.NextAttemptAt <= now
                    && db.WebhookEndpoints.Any(e => e.Id == d.EndpointId && e.DeletedAt == null && e.DisabledAt == null)
                    && !db.WebhookDeliveries.Any(o => o.EndpointId == d.EndpointId && o.Status == DeliveryStatus.Pending && o.EventPosition < d.EventPosition))
                .OrderBy(d => d.NextAttemptAt).Take(32).ToListAsync(ct);
        }
        await Task.WhenAll(due.Select(d => DeliverAsync(d, ct)));
    }

    private async Task DeliverAsync(WebhookDeliveryRow delivery, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        var now = Time.UtcNow();
        // Claimed by moving its next try past this one's end: another node that read the same row loses the update.
        var lease = now + TimeSpan.FromSeconds(Settings.TimeoutSeconds + 30);
        if (await db.WebhookDeliveries.Where(d => d.Id == delivery.Id && d.Status == DeliveryStatus.Pending && d.NextAttemptAt == delivery.NextAttemptAt)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.NextAttemptAt, lease).SetProperty(d => d.Attempts, d => d.Attempts + 1), ct) != 1)
        {
            return;
        }
        var endpoint = await db.WebhookEndpoints.AsNoTracking().SingleAsync(e => e.Id == delivery.EndpointId, ct);
        var evt = await db.Events.AsNoTracking().SingleAsync(e => e.Position == delivery.EventPosition, ct);
        var body = Payload(evt);
        var sensitive = scope.ServiceProvider.GetRequiredService<SensitiveData>();
        var secrets = new List<string> { sensitive.Reveal(endpoint.Secret) };
        if (endpoint.PreviousSecret is { } previous && endpoint.PreviousSecretUntil > now)
        {
            secrets.Add(sensitive.Reveal(previous));
        }

        var (status, error, elapsed) = await PostAsync(endpoint.Url, $"msg_{delivery.Id:N}", body, secrets, ct);
        var ended = Time.UtcNow();
        db.WebhookAttempts.Add(new WebhookAttemptRow { DeliveryId = delivery.Id, AttemptedAt = now, StatusCode = status, Error = error, DurationMs = elapsed });
        await db.SaveChangesAsync(ct);
        if (status is >= 200 and < 300)
        {
            await db.WebhookDeliveries.Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeliveryStatus.Succeeded)
                .SetProperty(d => d.DeliveredAt, ended).SetProperty(d => d.NextAttemptAt, (DateTime?)null).SetProperty(d => d.LastStatusCode, status)
                .SetProperty(d => d.LastError, (string?)null), ct);
            await db.WebhookEndpoints.Where(e => e.Id == endpoint.Id && e.FailingSince != null).ExecuteUpdateAsync(s => s.SetProperty(e => e.FailingSince, (DateTime?)null), ct);
            return;
        }
        var delays = Settings.RetryDelays;
        var tries = delivery.Attempts + 1;
        var next = tries <= delays.Count ? ended + delays[tries - 1] : (DateTime?)null;
        // Only while still under this try's lease: a retry asked for by hand meanwhile keeps its fresh schedule.
        await db.WebhookDeliveries.Where(d => d.Id == delivery.Id && d.NextAttemptAt == lease).ExecuteUpdateAsync(s => s
            .SetProperty(d => d.Status, next is null ? DeliveryStatus.Failed : DeliveryStatus.Pending).SetProperty(d => d.NextAttemptAt, next)
            .SetProperty(d => d.LastStatusCode, status).SetProperty(d => d.LastError, error), ct);
        await NoteFailureAsync(db, endpoint, ended, ct);
    }

    /// <summary>Marks when the endpoint started failing; once that is long enough ago, disables it and says why.</summary>
    private async Task NoteFailureAsync(FinsoftDb db, WebhookEndpointRow endpoint, DateTime now, CancellationToken ct)
    {
        await db.WebhookEndpoints.Where(e => e.Id == endpoint.Id && e.FailingSince == null).ExecuteUpdateAsync(s => s.SetProperty(e => e.FailingSince, now), ct);
        var since = await db.WebhookEndpoints.Where(e => e.Id == endpoint.Id).Select(e => e.FailingSince).SingleAsync(ct);
        if (since is { } start && now - start >= TimeSpan.FromSeconds(Settings.DisableAfterSeconds))
        {
            var reason = $"Every delivery failed from {start:u} to {now:u}; enable the endpoint again once it answers 2xx.";
            if (await db.WebhookEndpoints.Where(e => e.Id == endpoint.Id && e.DisabledAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(e => e.DisabledAt, now).SetProperty(e => e.DisabledReason, reason).SetProperty(e => e.UpdatedAt, now), ct) == 1)
            {
                logger.LogWarning("Webhook endpoint {Endpoint} disabled: {Reason}", endpoint.Id, reason);
            }
        }
    }

    private async Task<(int? Status, string? Error, int Milliseconds)> PostAsync(string url, string messageId, byte[] body, IEnumerable<string> secrets,
        CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } },
        };
        foreach (var (name, value) in WebhookSigner.Headers(messageId, Time.GetUtcNow(), body, secrets))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            return ((int)response.StatusCode, null, (int)clock.ElapsedMilliseconds);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            var why = e is TaskCanceledException ? $"no answer within {Settings.TimeoutSeconds} s" : e.Message;
            return (null, why[..Math.Min(why.Length, 500)], (int)clock.ElapsedMilliseconds);
        }
    }

    /// <summary>The Standard Webhooks payload: `{type, timestamp, data}`, with the event's data byte for byte as the outbox stored it.</summary>
    private static byte[] Payload(EventRow e)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", e.Type);
            json.WritePropertyName("timestamp");
            JsonSerializer.Serialize(json, e.OccurredAt, Json.Options);
            json.WriteNumber("position", e.Position);
            json.WritePropertyName("data");
            json.WriteRawValue(e.Data, skipInputValidation: true);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
