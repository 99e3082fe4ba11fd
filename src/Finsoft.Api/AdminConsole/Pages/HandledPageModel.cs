using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Finsoft.Api.AdminConsole.Pages;

/// <summary>A page whose model is filled by its handlers only: a request naming no handler it has (a bare POST, a made-up one) is 404.</summary>
public abstract class HandledPageModel : PageModel
{
    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        if (context.HandlerMethod is null)
        {
            context.Result = NotFound();
            return;
        }
        await next();
    }
}
