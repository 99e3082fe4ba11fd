using Finsoft.Api.MoneyPath.Verification;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Finsoft.Api.AdminConsole.Pages;

/// <summary>Verifies the ledger as <c>GET /ledger/verify</c> does: the hash chain and every balance against its postings.</summary>
[Authorize(Policy = ConsoleSetup.Policies.Insights)]
public sealed class LedgerModel(LedgerVerifier verifier) : PageModel
{
    public LedgerVerifier.Report? Report { get; private set; }

    public void OnGet()
    {
    }

    public async Task OnPostAsync(CancellationToken ct) => Report = await verifier.VerifyAsync(ct);
}
