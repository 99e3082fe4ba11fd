using Finsoft.Api.Infrastructure.Http;

namespace Finsoft.Api.AdminConsole.Pages;

/// <summary>A page with a form that moves money (<see cref="MoneyActions"/>): what the last send answered, for the page to say.</summary>
public abstract class MoneyFormPageModel : HandledPageModel
{
    public const string Expired = "The form has expired; it is drawn again below.";

    public string? Notice { get; protected set; }

    public string? Error { get; protected set; }

    /// <summary>The handler's answer in words: <paramref name="done"/> of a success, else its refusal (with its status).</summary>
    protected void Tell(JsonBody? answer, Func<JsonBody, string> done)
    {
        if (answer is null)
        {
            Error = Expired;
        }
        else if (Answers.IsSuccess(answer))
        {
            Notice = done(answer);
        }
        else
        {
            (Error, Response.StatusCode) = (Answers.Problem(answer), answer.StatusCode);
        }
    }
}
