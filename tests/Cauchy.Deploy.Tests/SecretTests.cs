using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cauchy.Deploy.Tests.Support;
using Xunit;

namespace Cauchy.Deploy.Tests;

/// <summary>Credentials reach pods only through Secrets: never in a ConfigMap, never as a literal env value.</summary>
public sealed partial class SecretTests
{
    public static TheoryData<string> Examples() => new(Chart.Examples);

    [SkippableTheory]
    [MemberData(nameof(Examples))]
    public void NoConfigMap_HoldsACredentialKeyOrASecretsValue(string example)
    {
        var chart = Chart.RenderExample(example);
        var secretValues = chart.OfKind("Secret")
            .SelectMany(s => s["data"]!.AsObject().Select(d => Encoding.UTF8.GetString(Convert.FromBase64String((string)d.Value!))))
            .ToList();

        foreach (var map in chart.OfKind("ConfigMap"))
        {
            foreach (var (key, value) in map["data"]!.AsObject())
            {
                Assert.False(CredentialName().IsMatch(key), $"ConfigMap {RenderedChart.Name(map)} holds the credential {key}");
                Assert.DoesNotContain(secretValues, secret => ((string?)value ?? "").Contains(secret, StringComparison.Ordinal));
                Assert.DoesNotMatch(PasswordInText(), (string?)value ?? "");
            }
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Examples))]
    public void CredentialEnvironmentVariables_ComeFromSecrets(string example)
    {
        var chart = Chart.RenderExample(example);

        foreach (var (workload, pod) in chart.Workloads())
        {
            foreach (var env in pod["containers"]!.AsArray().SelectMany(c => c!["env"]?.AsArray() ?? []).Select(e => e!.AsObject()))
            {
                var name = (string)env["name"]!;
                if (!CredentialName().IsMatch(name))
                {
                    continue;
                }

                var where = $"{RenderedChart.Name(workload)} {name}";
                if (env["valueFrom"] is JsonObject from)
                {
                    Assert.True(from["secretKeyRef"] is JsonObject, $"{where} is not read from a Secret");
                }
                else
                {
                    // The bundled PostgreSQL's connection string names the password variable; Kubernetes expands it.
                    Assert.Matches(@"Password=\$\(CAUCHY_POSTGRES_PASSWORD\)$", (string?)env["value"] ?? "");
                }
            }
        }
    }

    [SkippableFact]
    public void ExternalData_IsReadFromTheExistingSecretsTheValuesName()
    {
        var chart = Chart.RenderExample("gpu-cluster");

        Assert.Empty(chart.OfKind("Secret"));
        var registry = chart.Single("Deployment", "cauchy-registry")["spec"]!["template"]!["spec"]!["containers"]![0]!;
        var env = registry["env"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => e!["valueFrom"]!["secretKeyRef"]!);
        Assert.Equal("cauchy-database", (string?)env["CAUCHY_DATABASE__CONNECTIONSTRING"]["name"]);
        Assert.Equal("registry", (string?)env["CAUCHY_DATABASE__CONNECTIONSTRING"]["key"]);
        Assert.Equal("cauchy-s3", (string?)env["CAUCHY_STORAGE__S3__ACCESSKEY"]["name"]);
        Assert.Equal("cauchy-s3", (string?)env["CAUCHY_STORAGE__S3__SECRETKEY"]["name"]);
    }

    // Not a credential: the path of a mounted token file (…TOKENFILE) and the switch METRICSREQUIRETOKEN.
    [GeneratedRegex("PASSWORD|SECRETKEY|SECRET_KEY|ACCESSKEY|ACCESS_KEY|CONNECTIONSTRING|(?<!REQUIRE)TOKEN(?!FILE)", RegexOptions.IgnoreCase)]
    private static partial Regex CredentialName();

    [GeneratedRegex("Password=[^$;]", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordInText();
}
