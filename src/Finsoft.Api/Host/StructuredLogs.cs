using Finsoft.Api.Infrastructure.Auth;

namespace Finsoft.Api.Host;

/// <summary>
/// The log as a pipeline wants it: one JSON object a line with the time, level, category, message template and its
/// values, and the scopes — request id and trace id from ASP.NET Core, the signed-in user's id from here. What is
/// logged never includes a secret: values are logged by id, and the tests search a full scenario's Debug output.
/// </summary>
public static class StructuredLogs
{
    public const string Json = "json";
    public const string Text = "text";

    public static void AddFinsoftLogs(this WebApplicationBuilder builder, LogOptions options)
    {
        var format = options.Format ?? (builder.Environment.IsDevelopment() ? Text : Json);
        if (format is not (Json or Text))
        {
            throw new StartupException($"Finsoft:Logging:Format must be {Json} or {Text}, not '{format}'.");
        }
        if (format == Json)
        {
            builder.Logging.AddJsonConsole(json =>
            {
                json.IncludeScopes = true;
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
    }

    /// <summary>After authentication: every line written while serving a signed-in caller names them.</summary>
    public static void UseUserLogScope(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Finsoft.Request");
        app.Use(async (context, next) =>
        {
            if (CurrentUser.TryFrom(context.User) is not { } user)
            {
                await next(context);
                return;
            }
            using (logger.BeginScope(new Dictionary<string, object> { ["UserId"] = user.Id }))
            {
                await next(context);
            }
        });
    }
}
