using Microsoft.Extensions.Options;

namespace Cauchy.Orchestrator.Auth;

/// <summary>
/// At start-up (after the migrations, before the server listens), makes sure the admin token of
/// <see cref="TokenBootstrapOptions.BootstrapTokenFile"/> exists, so that a fresh platform has one caller who can
/// create the others.
/// </summary>
public sealed partial class TokenBootstrap(ApiTokens tokens, IOptions<TokenBootstrapOptions> options, ILogger<TokenBootstrap> logger) : IHostedService
{
    public const string TokenName = "bootstrap-admin";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var path = options.Value.BootstrapTokenFile;
        if (string.IsNullOrWhiteSpace(path))
        {
            return;
        }

        if (File.Exists(path))
        {
            var secret = (await File.ReadAllTextAsync(path, cancellationToken)).Trim();
            if (await tokens.RegisterAsync(TokenName, secret, cancellationToken))
            {
                Registered(logger, path);
            }

            return;
        }

        var (token, created) = await tokens.CreateAsync(TokenName, "admin", expiresIn: null, createdBy: "bootstrap", cancellationToken);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        var file = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            file.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var stream = new FileStream(path, file))
        await using (var writer = new StreamWriter(stream))
        {
            await writer.WriteLineAsync(created.AsMemory(), cancellationToken);
        }

        Created(logger, token.TokenId, path);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Created the admin token bootstrap-admin (id {TokenId}); its secret is in {Path}")]
    private static partial void Created(ILogger logger, string tokenId, string path);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Registered the admin token in {Path} as bootstrap-admin")]
    private static partial void Registered(ILogger logger, string path);
}
