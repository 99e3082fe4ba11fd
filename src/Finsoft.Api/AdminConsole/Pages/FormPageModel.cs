using Finsoft.Api.Infrastructure.Http;
using Microsoft.AspNetCore.Mvc;

namespace Finsoft.Api.AdminConsole.Pages;

/// <summary>A page with forms that call the API's handlers (money forms through <see cref="MoneyActions"/>): what the last send answered, for the page to say.</summary>
public abstract class FormPageModel : HandledPageModel
{
    public const string Expired = "The form has expired; it is drawn again below.";

    /// <summary>What a success said, carried to the page's next GET (post/redirect/get) in the console's TempData cookie.</summary>
    [TempData]
    public string? Notice { get; set; }

    public string? Error { get; protected set; }

    /// <summary>The handler's answer in words: <paramref name="done"/> of a success, else its refusal (with its status).</summary>
    protected void Tell(JsonBody? answer, Func<JsonBody, string> done)
    {
        if (answer is null)
        {
            (Error, Response.StatusCode) = (Expired, StatusCodes.Status422UnprocessableEntity);
        }
        else if (Answers.IsSuccess(answer))
        {
            Notice = done(answer);
        }
        else
        {
            Refuse(answer);
        }
    }

    /// <summary>
    /// The end of a form's send: a success is drawn again by a GET of the page (post/redirect/get), so a refresh does not send
    /// the form again and the page's links are its own; a refusal is drawn at once, with its status and the form as sent.
    /// </summary>
    protected async Task<IActionResult> AnsweredAsync(Func<Task<IActionResult>> draw) =>
        Error is null ? LocalRedirect(Request.PathBase + Request.Path) : await draw();

    protected Task<IActionResult> AnsweredAsync(Func<Task> draw) => AnsweredAsync(async () =>
    {
        await draw();
        return Page();
    });

    /// <summary>
    /// One page of a list as the handler answered it, with the console's link to the next (<see cref="Answers.Next"/>); a
    /// refusal is said (the first, when a page asks several) and the list is empty.
    /// </summary>
    protected (IReadOnlyList<T> Items, string? Next) Listed<T>(JsonBody answer, params string[] drop)
    {
        if (Answers.IsSuccess(answer))
        {
            return (Answers.Read<List<T>>(answer), Answers.Next(answer, drop));
        }
        if (Error is null)
        {
            Refuse(answer);
        }
        return ([], null);
    }

    /// <summary>The handler's refusal in words, answered with its status (a 422 stays a 422).</summary>
    protected void Refuse(JsonBody answer) => (Error, Response.StatusCode) = (Answers.Problem(answer), answer.StatusCode);
}
