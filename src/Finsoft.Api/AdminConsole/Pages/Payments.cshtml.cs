using Finsoft.Api.Features.Payments;
using Finsoft.Api.Features.Webhooks;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Payments;

namespace Finsoft.Api.AdminConsole.Pages;

/// <summary>
/// Card and other provider payments into wallets (<c>GET /payments</c>), the newest first, and for admins every merchant's
/// webhook endpoint (<c>GET /webhooks/endpoints</c>), each opening its deliveries.
/// </summary>
public sealed class PaymentsModel(FinsoftDb db) : FormPageModel
{
    public string? Status { get; private set; }

    public IReadOnlyList<PaymentDto> Payments { get; private set; } = [];

    public string? Next { get; private set; }

    public IReadOnlyList<WebhookEndpoints.Response> Endpoints { get; private set; } = [];

    public async Task OnGetAsync(string? status, string? cursor, CancellationToken ct)
    {
        Status = string.IsNullOrEmpty(status) ? null : status;
        var payments = await PaymentQueries.List(Status, null, null, 25, cursor, Request, User, db, ct);
        (Payments, Next) = Listed<PaymentDto>(payments);
        if (User.IsInRole(Roles.Admin))
        {
            Endpoints = Answers.Read<List<WebhookEndpoints.Response>>(await WebhookEndpoints.List(User, db, ct));
        }
    }
}
