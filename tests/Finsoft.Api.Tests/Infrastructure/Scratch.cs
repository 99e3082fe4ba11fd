using System.Diagnostics;

namespace Finsoft.Api.Tests.Infrastructure;

/// <summary>
/// Scratch directories of one test run, all under <c>/tmp/finsoft-run-&lt;pid&gt;</c>. The test host is killed
/// soon after its last test, before code registered to run at exit can finish stopping PostgreSQL and deleting
/// gigabytes of data, so each run deletes what earlier, finished runs left (and stops any server they left running)
/// instead of trusting its own exit.
/// </summary>
public static class Scratch
{
    private const string RunPrefix = "finsoft-run-";

    private static readonly Lazy<string> RunRoot = new(CreateRunRoot, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>A new, empty directory of this run.</summary>
    public static string NewDirectory(string purpose)
    {
        var path = NewPath(purpose);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>A path in this run's scratch that does not exist yet, for a program that creates it itself.</summary>
    public static string NewPath(string purpose) => Path.Combine(RunRoot.Value, $"{purpose}-{Guid.NewGuid().ToString("N")[..12]}");

    private static string CreateRunRoot()
    {
        foreach (var earlier in Directory.GetDirectories(Path.GetTempPath(), RunPrefix + "*"))
        {
            if (int.TryParse(Path.GetFileName(earlier)[RunPrefix.Length..], out var pid) && pid != Environment.ProcessId && !IsRunning(pid))
            {
                StopPostgresServersIn(earlier);
                TryDelete(earlier);
            }
        }
        var root = Path.Combine(Path.GetTempPath(), RunPrefix + Environment.ProcessId);
        Directory.CreateDirectory(root);
        return root;
    }

    /// <summary>Deletes a directory and everything in it; a file still held open elsewhere only leaves it for the next run.</summary>
    public static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Kills the postmaster of every data directory under a root (its backends follow it out).</summary>
    public static void StopPostgresServersIn(string root)
    {
        if (!Directory.Exists(root))
        {
            return; // already stopped and deleted
        }
        foreach (var pidFile in Directory.EnumerateFiles(root, "postmaster.pid", SearchOption.AllDirectories))
        {
            // The file may outlive its server (a reboot, a crash): the number is only taken for a postmaster if it still is one.
            if (int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid) && IsRunning(pid) && IsPostgres(pid))
            {
                try
                {
                    using var postmaster = Process.GetProcessById(pid);
                    postmaster.Kill();
                    postmaster.WaitForExit(10_000);
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException)
                {
                    // it ended on its own meanwhile
                }
            }
        }
    }

    private static bool IsPostgres(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains("postgres", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
