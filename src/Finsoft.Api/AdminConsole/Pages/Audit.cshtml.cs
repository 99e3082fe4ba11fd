using Finsoft.Api.Features.Audit;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.AspNetCore.Authorization;

namespace Finsoft.Api.AdminConsole.Pages;

/// <summary>The audit trail, newest first, filtered by event and by the person it concerns: the API's <c>GET /admin/audit</c>.</summary>
[Authorize(Policy = ConsoleSetup.Policies.Admin)]
public sealed class AuditModel(FinsoftDb db) : FormPageModel
{
    public string? Event { get; private set; }

    public Guid? UserId { get; private set; }

    public IReadOnlyList<AuditEndpoints.AuditEventDto> Events { get; private set; } = [];

    public string? Next { get; private set; }

    public async Task OnGetAsync(string? @event, Guid? user, string? cursor, CancellationToken ct)
    {
        (Event, UserId) = (string.IsNullOrWhiteSpace(@event) ? null : @event.Trim(), user);
        var answer = await AuditEndpoints.List(Event, null, null, UserId, null, null, 50, cursor, Request, db, ct);
        (Events, Next) = Listed<AuditEndpoints.AuditEventDto>(answer);
    }
}
