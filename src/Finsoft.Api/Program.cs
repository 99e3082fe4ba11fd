using Finsoft.Api.Host;
using Finsoft.Credit;

if (args is ["credit", ..])
{
    return await CreditCommand.RunAsync(args, Console.Out, Console.Error); // model work needs no database or host
}

try
{
    var app = FinsoftHost.Build(args);
    if (args.Contains("migrate", StringComparer.Ordinal))
    {
        await FinsoftHost.MigrateAsync(app);
        return 0;
    }
    await FinsoftHost.PrepareAsync(app);
    await app.RunAsync();
    return 0;
}
catch (StartupException e)
{
    await Console.Error.WriteLineAsync($"finsoft: {e.Message}");
    return 2;
}

/// <summary>The entry point, visible to the HTTP tests' WebApplicationFactory.</summary>
public partial class Program;
