using Xunit.Abstractions;
using Xunit.Sdk;

namespace Finsoft.Api.Tests.Infrastructure;

/// <summary>
/// A fact that needs a program from Debian's packages (prometheus, haproxy). Where the program is not installed it is
/// skipped with a message saying which package to install, unless FINSOFT_REQUIRE_POSTGRES=1 (as in CI, which installs
/// them), where it runs and fails.
/// </summary>
[XunitTestCaseDiscoverer("Finsoft.Api.Tests.Infrastructure.ToolFactDiscoverer", "Finsoft.Api.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class ToolFactAttribute(string program) : FactAttribute
{
    public string Program { get; } = program;

    /// <summary>The program's path on PATH, or null.</summary>
    public static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Concat(["/usr/sbin", "/usr/bin"]).Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);
}

public sealed class ToolFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    protected override IXunitTestCase CreateTestCase(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var program = factAttribute.GetConstructorArguments().Single() as string ?? "";
        if (!PostgresServer.Required && ToolFactAttribute.Find(program) is null)
        {
            return new XunitSkippedDataRowTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(),
                discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, $"'{program}' is not installed (apt-get install {program}).");
        }
        return base.CreateTestCase(discoveryOptions, testMethod, factAttribute);
    }
}
