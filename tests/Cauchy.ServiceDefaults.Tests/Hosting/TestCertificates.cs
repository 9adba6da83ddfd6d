using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cauchy.ServiceDefaults.Tests.Hosting;

/// <summary>Self-signed server certificates for 127.0.0.1, written as the files an operator would mount.</summary>
public static class TestCertificates
{
    public const string Password = "s3cret-for-tests";

    /// <summary>The certificate carries its private key; <paramref name="key"/> is the same key, for writing PEM files.</summary>
    public static X509Certificate2 CreateSelfSigned(out ECDsa key)
    {
        key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>Writes the certificate in the given layout and returns the Grpc:Tls settings that point at it.</summary>
    public static Dictionary<string, string?> Write(string directory, string layout, X509Certificate2 certificate, ECDsa key)
    {
        var certificatePath = Path.Combine(directory, "server.crt");
        var keyPath = Path.Combine(directory, "server.key");
        switch (layout)
        {
            case "pem":
                File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
                File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
                return new() { ["Grpc:Tls:CertificatePath"] = certificatePath, ["Grpc:Tls:KeyPath"] = keyPath };
            case "pem-encrypted-key":
                File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
                File.WriteAllText(keyPath, key.ExportEncryptedPkcs8PrivateKeyPem(
                    Password,
                    new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 10_000)));
                return new()
                {
                    ["Grpc:Tls:CertificatePath"] = certificatePath,
                    ["Grpc:Tls:KeyPath"] = keyPath,
                    ["Grpc:Tls:Password"] = Password,
                };
            case "pem-combined":
                File.WriteAllText(certificatePath, certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem());
                return new() { ["Grpc:Tls:CertificatePath"] = certificatePath };
            case "pfx":
                var pfxPath = Path.Combine(directory, "server.pfx");
                File.WriteAllBytes(pfxPath, certificate.Export(X509ContentType.Pkcs12, Password));
                return new() { ["Grpc:Tls:CertificatePath"] = pfxPath, ["Grpc:Tls:Password"] = Password };
            default:
                throw new ArgumentOutOfRangeException(nameof(layout), layout, "unknown certificate layout");
        }
    }
}
