using Xunit.Abstractions;
using Xunit.Sdk;

namespace Finsoft.Api.Tests.Infrastructure;

public enum DatabaseKind
{
    Sqlite,
    Postgres,
}

/// <summary>Marks a test class whose tests run against PostgreSQL.</summary>
public interface IPostgresTests;

/// <summary>
/// A fact that runs on the database its class names. On a PostgreSQL class with no PostgreSQL
/// binaries installed it is skipped with a message saying so, unless FINSOFT_REQUIRE_POSTGRES=1
/// (as in CI), where it runs and fails.
/// </summary>
[XunitTestCaseDiscoverer("Finsoft.Api.Tests.Infrastructure.DbFactDiscoverer", "Finsoft.Api.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class DbFactAttribute : FactAttribute;

public sealed class DbFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    protected override IXunitTestCase CreateTestCase(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var testClass = testMethod.TestClass.Class.ToRuntimeType();
        if (typeof(IPostgresTests).IsAssignableFrom(testClass) && !PostgresServer.Required && PostgresServer.MissingReason() is { } reason)
        {
            return new XunitSkippedDataRowTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(),
                discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason);
        }
        return base.CreateTestCase(discoveryOptions, testMethod, factAttribute);
    }
}
