using System.Text;
using Finsoft.Api.Features.Aml;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Store;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Finsoft.Api.AdminConsole.Pages;

/// <summary>
/// The watch lists screening runs against, each source's versions with their entry counts; an admin loads a new version
/// from a file as <c>POST /aml/watchlists</c> does (the same parser; a malformed file stores nothing; customers are
/// screened again against it in the background).
/// </summary>
[Authorize(Policy = ConsoleSetup.Policies.Insights)]
[RequestFormLimits(MultipartBodyLengthLimit = Watchlists.MaxFileBytes)]
public sealed class WatchlistsModel(FinsoftDb db) : FormPageModel
{
    public IReadOnlyList<Watchlists.VersionDto> Versions { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) =>
        Versions = Answers.Read<List<Watchlists.VersionDto>>(await Watchlists.List(db, ct));

    public async Task<IActionResult> OnPostAsync(string? source, string? format, IFormFile? file, [FromServices] UnitOfWork work,
        [FromServices] TimeProvider time, CancellationToken ct)
    {
        if (!User.IsInRole(Roles.Admin))
        {
            return Forbid(ConsoleSetup.Scheme);
        }
        // The handler's rules for the source's name and the format, then the file.
        var validation = Watchlists.Check(source, format);
        if (file is null)
        {
            validation.Add("file", "Choose the file.");
        }
        if (!validation.IsValid)
        {
            Refuse(validation.Result);
        }
        else
        {
            using var reader = new StreamReader(file!.OpenReadStream(), Encoding.UTF8);
            var text = await reader.ReadToEndAsync(ct);
            var (loaded, problem) = await Watchlists.LoadAsync(db, work, source!.Trim(), format!, text, CurrentUser.From(User).Id, time.UtcNow(), ct);
            if (loaded is null)
            {
                (Error, Response.StatusCode) = (problem, StatusCodes.Status422UnprocessableEntity);
            }
            else
            {
                Notice = $"{loaded.Source} version {loaded.Version} loaded with {loaded.EntryCount} entries.";
            }
        }
        return await AnsweredAsync(() => OnGetAsync(ct));
    }
}
