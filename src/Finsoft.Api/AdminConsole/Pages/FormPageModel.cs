using Finsoft.Api.Infrastructure.Http;

namespace Finsoft.Api.AdminConsole.Pages;

/// <summary>A page with forms that call the API's handlers (money forms through <see cref="MoneyActions"/>): what the last send answered, for the page to say.</summary>
public abstract class FormPageModel : HandledPageModel
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
            Refuse(answer);
        }
    }

    /// <summary>The handler's refusal in words, answered with its status (a 422 stays a 422).</summary>
    protected void Refuse(JsonBody answer) => (Error, Response.StatusCode) = (Answers.Problem(answer), answer.StatusCode);
}
