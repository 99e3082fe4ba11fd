using Finsoft.Api.Host;
using Finsoft.Credit;

if (args is ["credit", ..])
{
    return await CreditCommand.RunAsync(args, Console.Out, Console.Error); // model work needs no database or host
}

try
{
    if (args is ["backup", ..])
    {
        // The file is not handed to the host's command-line configuration, which would read a path starting with '/' as a switch.
        var file = args.Length > 1 ? args[1] : throw new StartupException("usage: backup <file>");
        await Finsoft.Api.Infrastructure.Persistence.SqliteBackup.RunAsync(FinsoftHost.Build(args[2..]), file, Console.Out);
        return 0;
    }
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
