using System.Security.Cryptography.X509Certificates;

namespace Cauchy.ServiceDefaults.Hosting;

/// <summary>Loads the gRPC port's server certificate: PEM (key in its own file or the same one, optionally encrypted) or PKCS#12.</summary>
public static class TlsCertificateLoader
{
    public static X509Certificate2 Load(ServiceHostingOptions options)
    {
        var path = options.TlsCertificatePath ?? throw new InvalidOperationException("Grpc:Tls:CertificatePath is not set.");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Grpc:Tls:CertificatePath points to '{path}', which does not exist.", path);
        }

        var extension = Path.GetExtension(path);
        if (extension.Equals(".pfx", StringComparison.OrdinalIgnoreCase) || extension.Equals(".p12", StringComparison.OrdinalIgnoreCase))
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, options.TlsPassword);
        }

        if (options.TlsPassword is not null)
        {
            return X509Certificate2.CreateFromEncryptedPemFile(path, options.TlsPassword, options.TlsKeyPath);
        }

        return X509Certificate2.CreateFromPemFile(path, options.TlsKeyPath);
    }
}
