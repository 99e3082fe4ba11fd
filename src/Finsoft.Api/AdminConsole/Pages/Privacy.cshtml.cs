using Finsoft.Api.Features.Gdpr;
using Finsoft.Api.Features.Psd2;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Store;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Finsoft.Api.AdminConsole.Pages;

/// <summary>
/// Data subjects' requests (<c>/gdpr/data-requests</c>: an admin carries out an erasure or a rectification, or refuses with a
/// reason; exports answer themselves), the consents customers gave third parties, and the registered TPPs, which an admin
/// can revoke (their consents end with them).
/// </summary>
[Authorize(Policy = ConsoleSetup.Policies.Admin)]
public sealed class PrivacyModel(FinsoftDb db, TimeProvider time) : FormPageModel
{
    public string? Status { get; private set; }

    public IReadOnlyList<DataRequestDto> Requests { get; private set; } = [];

    public string? NextRequests { get; private set; }

    public IReadOnlyList<ConsentDto> Consents { get; private set; } = [];

    public IReadOnlyList<Tpps.Response> Providers { get; private set; } = [];

    public Task OnGetAsync(string? status, string? cursor, CancellationToken ct) => ShowAsync(status, cursor, ct);

    public async Task<IActionResult> OnPostProcessAsync(Guid id, bool confirm, [FromServices] UnitOfWork work, [FromServices] Erasure erasure,
        [FromServices] AuditTrail audit, CancellationToken ct)
    {
        if (!confirm)
        {
            (Error, Response.StatusCode) = ("Tick the confirmation first: an erasure cannot be undone, and a rectification is done only once the profile is corrected.",
                StatusCodes.Status422UnprocessableEntity);
            return await AnsweredAsync(() => ShowAsync(null, null, ct));
        }
        Tell(await DataRequests.Process(id, User, db, work, erasure, audit, time, ct),
            answer => Answers.Read<DataRequestDto>(answer) is { Type: DataRequestType.Erasure } erased
                ? $"Erased. {(erased.LegalHolds is { Count: > 0 } ? "Records the law keeps are sealed until their hold ends, then shredded." : "Their key is destroyed.")}"
                : "Marked done: the corrections were made in their profile.");
        return await AnsweredAsync(() => ShowAsync(null, null, ct));
    }

    public async Task<IActionResult> OnPostRejectAsync(Guid id, string? reason, [FromServices] AuditTrail audit, CancellationToken ct)
    {
        Tell(await DataRequests.Reject(id, new DataRequests.RejectRequest(reason), User, db, audit, time, ct), _ => "Refused; the person is told why.");
        return await AnsweredAsync(() => ShowAsync(null, null, ct));
    }

    public async Task<IActionResult> OnPostRevokeTppAsync(Guid id, bool confirm, [FromServices] AuditTrail audit, CancellationToken ct)
    {
        if (!confirm)
        {
            (Error, Response.StatusCode) = ("Tick the confirmation first: a revoked TPP's consents end for good.", StatusCodes.Status422UnprocessableEntity);
            return await AnsweredAsync(() => ShowAsync(null, null, ct));
        }
        Tell(await Features.Psd2.Tpps.Revoke(id, User, db, audit, time, ct), answer => $"{Answers.Read<Tpps.Response>(answer).Name} is revoked; its consents ended.");
        return await AnsweredAsync(() => ShowAsync(null, null, ct));
    }

    private async Task ShowAsync(string? status, string? cursor, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        Status = string.IsNullOrEmpty(status) ? null : status;
        (Requests, NextRequests) = Listed<DataRequestDto>(await DataRequests.List(null, Status, null, 25, cursor, Request, User, db, ct));
        Consents = Answers.Read<List<ConsentDto>>(await Features.Psd2.Consents.List(null, null, 25, null, Request, db, ct));
        Providers = Answers.Read<List<Tpps.Response>>(await Features.Psd2.Tpps.List(db, ct));
    }
}
