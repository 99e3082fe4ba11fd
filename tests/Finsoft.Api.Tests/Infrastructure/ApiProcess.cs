using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Finsoft.Api.Tests.Infrastructure;

/// <summary>The built service running as a real operating-system process on a loopback port, for kill-and-restart tests.</summary>
public sealed class ApiProcess : IDisposable
{
    private static readonly string ApiDll = Path.Combine(AppContext.BaseDirectory, "Finsoft.Api.dll");

    /// <summary>How to start the built service as an operator would: `dotnet Finsoft.Api.dll`, in Production, with these settings.</summary>
    public static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(ApiDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        // Every operator's node has one (and nodes of one deployment the same); a test that means to leave it out sets it empty.
        start.Environment.TryAdd("Finsoft__Ledger__SealKey", SealKey);
        return start;
    }

    /// <summary>Runs one of the service's commands (migrate, backup, …) to its end, from a directory of its own, as an operator would.</summary>
    public static async Task<(int Exit, string Stdout, string Stderr)> RunCommandAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = StartInfo(environment, args);
        start.WorkingDirectory = Scratch.NewDirectory("cwd");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The ledger's seal key of every node the tests start.</summary>
    public const string SealKey = "test-ledger-seal-key-0123456789-0123456789";

    /// <summary>The settings of a node in a kill-and-restart test: the bootstrap admin, and keys left by a killed node free again after two seconds.</summary>
    public static Dictionary<string, string> NodeEnvironment(DatabaseKind kind, string dataDirectory) => new()
    {
        ["Finsoft__DataDirectory"] = dataDirectory,
        ["Finsoft__Database__Provider"] = kind.ToString(),
        ["Finsoft__Jwt__SigningKey"] = new string('c', 48),
        ["Finsoft__Bootstrap__AdminEmail"] = TestApp.AdminEmail,
        ["Finsoft__Bootstrap__AdminPassword"] = TestApp.AdminPassword,
        ["Finsoft__IdempotencyLeaseSeconds"] = "2",
    };

    /// <summary>A loopback port nobody is listening on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private readonly Dictionary<string, string> _environment;
    private Process? _process;

    public ApiProcess(Dictionary<string, string> environment)
    {
        _environment = environment;
        Port = FreePort();
    }

    public int Port { get; }

    /// <summary>Every line the process wrote to standard output and error, in order.</summary>
    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_output)
            {
                return [.. _output];
            }
        }
    }

    private readonly List<string> _output = [];

    /// <summary>The process's last lines (warnings and errors only, unless the test asked for more), shown when a test fails.</summary>
    public void WriteOutputTo(Xunit.Abstractions.ITestOutputHelper testOutput)
    {
        foreach (var line in Output.TakeLast(200))
        {
            testOutput.WriteLine(line);
        }
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.Add(line);
            }
        }
    }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public async Task StartAsync()
    {
        var start = StartInfo(_environment, "--urls", BaseAddress.ToString().TrimEnd('/'));
        start.Environment.TryAdd("Logging__LogLevel__Default", "Warning");
        start.Environment["Finsoft__RateLimit__Enabled"] = "false";
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, line) => Keep(line.Data);
        _process.ErrorDataReceived += (_, line) => Keep(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Finsoft exited with {_process.ExitCode} on start");
            }
            try
            {
                if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("Finsoft did not become ready");
    }

    /// <summary>SIGTERM, as a rolling deploy or an orchestrator stops a node.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Waits for the process to end by itself and answers its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process!.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, as in a crash.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        _process?.Dispose();
    }
}
