using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Payments;
using Finsoft.Api.MoneyPath.Providers;

namespace Finsoft.Api.Features.Payments;

/// <summary>
/// Where payment providers post their events. Anonymous, so the signature is everything: the provider's
/// adapter checks it over the exact bytes received; a forged, missing or stale one is 400 and changes nothing.
/// A genuine event is acknowledged (200) whether it changed something, repeated one seen before, or was ignored.
/// </summary>
public static class ProviderWebhook
{
    public sealed record Response(bool Received, string Outcome);

    public static async Task<JsonBody> Handle(string provider, HttpRequest request, PaymentProviders providers, ProviderAnswers answers,
        TimeProvider time, CancellationToken ct)
    {
        if (providers.Named(provider) is not { } adapter)
        {
            return ApiResults.NotFound("No payment provider has that name");
        }
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var (received, refusal) = adapter.ReadWebhook(new WebhookDelivery(headers, buffer.ToArray()), time.GetUtcNow());
        if (received is null)
        {
            return ApiResults.Problem(StatusCodes.Status400BadRequest, $"The event was refused: {refusal}");
        }
        var outcome = await answers.ApplyAsync(provider, received, ct);
        return ApiResults.Ok(new Response(true, outcome.ToString().ToLowerInvariant()));
    }
}
