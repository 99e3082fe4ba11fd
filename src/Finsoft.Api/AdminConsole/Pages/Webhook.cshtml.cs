using Finsoft.Api.Features.Webhooks;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Finsoft.Api.AdminConsole.Pages;

/// <summary>One webhook endpoint and its deliveries with every attempt; an admin sends a delivery again or re-enables the endpoint.</summary>
[Authorize(Policy = ConsoleSetup.Policies.Admin)]
public sealed class WebhookModel(FinsoftDb db, TimeProvider time) : FormPageModel
{
    public WebhookEndpoints.Response? Endpoint { get; private set; }

    public IReadOnlyList<WebhookDeliveries.Response> Deliveries { get; private set; } = [];

    public string? Next { get; private set; }

    public Task<IActionResult> OnGetAsync(Guid id, string? cursor, CancellationToken ct) => ShowAsync(id, cursor, ct);

    public async Task<IActionResult> OnPostRetryAsync(Guid id, Guid deliveryId, CancellationToken ct)
    {
        Tell(await WebhookDeliveries.Retry(id, deliveryId, User, db, time, ct), _ => "Queued: it is sent again now, with a fresh round of retries.");
        return await AnsweredAsync(() => ShowAsync(id, null, ct));
    }

    public async Task<IActionResult> OnPostEnableAsync(Guid id, CancellationToken ct)
    {
        Tell(await WebhookEndpoints.Enable(id, User, db, time, ct), _ => "Enabled: deliveries resume from where they stopped.");
        return await AnsweredAsync(() => ShowAsync(id, null, ct));
    }

    private async Task<IActionResult> ShowAsync(Guid id, string? cursor, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var endpoint = await WebhookEndpoints.Get(id, User, db, ct);
        if (!Answers.IsSuccess(endpoint))
        {
            return NotFound();
        }
        Endpoint = Answers.Read<WebhookEndpoints.Response>(endpoint);
        (Deliveries, Next) = Listed<WebhookDeliveries.Response>(await WebhookDeliveries.List(id, 25, cursor, Request, User, db, ct));
        return Page();
    }
}
