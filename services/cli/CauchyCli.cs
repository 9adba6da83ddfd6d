using System.CommandLine;
using Cauchy.Cli.Commands;
using Cauchy.Cli.Output;
using Grpc.Core;

namespace Cauchy.Cli;

/// <summary>
/// The <c>cauchy</c> command line, in kubectl's manner: <c>cauchy &lt;resource&gt; &lt;verb&gt;</c>, tables for
/// people and <c>-o json</c> for scripts, addresses from flags or the environment.
/// </summary>
public static class CauchyCli
{
    public static readonly Option<OutputFormat> OutputOption = new("--output", "-o")
    {
        Description = "Output format: table or json",
        Recursive = true,
        DefaultValueFactory = _ => OutputFormat.Table,
    };

    public static readonly Option<string?> HostOption = new("--host")
    {
        Description = "Host of every service, with their default ports plus CAUCHY_PORT_OFFSET (env CAUCHY_HOST; default 127.0.0.1)",
        Recursive = true,
    };

    public static readonly Option<string?> TokenOption = new("--token")
    {
        Description = $"Bearer token (env CAUCHY_TOKEN, or a file named by CAUCHY_TOKEN_FILE; default the {Credentials.RunFileName} that make up wrote in its run folder)",
        Recursive = true,
    };

    private static readonly string[] Services = ["datasets", "jobs", "trainer", "metrics", "registry"];

    private static readonly Dictionary<string, Option<string?>> AddressOptions = Services.ToDictionary(
        s => s,
        s => new Option<string?>($"--{s}-address")
        {
            Description = $"Address of the {s} service (env CAUCHY_{s.ToUpperInvariant()}_ADDRESS; default http://<host>:{ServiceAddresses.DefaultPorts[s]} + CAUCHY_PORT_OFFSET, or the address make up recorded in .run/{ServiceAddresses.RunFileName})",
            Recursive = true,
        });

    /// <summary>Runs the CLI; returns the exit code (0 success, 1 a failed request, 2 a usage error).</summary>
    public static async Task<int> RunAsync(
        string[] args, TextWriter output, TextWriter error, Func<string, string?>? environment = null, bool? interactive = null, string? workingDirectory = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var isInteractive = interactive ?? (!Console.IsOutputRedirected && ReferenceEquals(output, Console.Out));
        CliContext? context = null;
        CliContext Context(ParseResult parse)
        {
            if (context is null)
            {
                var addresses = new ServiceAddresses(environment, workingDirectory) { Host = parse.GetValue(HostOption) };
                foreach (var (service, option) in AddressOptions)
                {
                    addresses.Overrides[service] = parse.GetValue(option);
                }

                var credentials = new Credentials(environment, workingDirectory) { Flag = parse.GetValue(TokenOption) };
                context = new CliContext(addresses, credentials, new Printer(output, parse.GetValue(OutputOption), isInteractive), error);
            }

            return context;
        }

        var root = new RootCommand("cauchy: datasets, training jobs, evaluations and models of a Cauchy platform");
        root.Options.Add(OutputOption);
        root.Options.Add(HostOption);
        root.Options.Add(TokenOption);
        foreach (var option in AddressOptions.Values)
        {
            root.Options.Add(option);
        }

        root.Subcommands.Add(DatasetsCommands.Create(Context));
        root.Subcommands.Add(JobsCommands.Create(Context));
        root.Subcommands.Add(ModelsCommands.Create(Context));
        root.Subcommands.Add(EvalCommands.Create(Context));
        root.Subcommands.Add(AuthCommands.Create(Context));

        try
        {
            var parse = root.Parse(args);
            return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (CliException ex)
        {
            await error.WriteLineAsync("error: " + ex.Message);
            return 1;
        }
        catch (RpcException ex)
        {
            await error.WriteLineAsync("error: " + Describe(ex, context));
            return 1;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("cancelled");
            return 130;
        }
        finally
        {
            context?.Dispose();
        }
    }

    private static string Describe(RpcException ex, CliContext? context)
    {
        var service = ex.Data["cauchy.service"] as string;
        (Uri? Address, string Source) where = (null, "");
        try
        {
            if (service is not null && context is not null)
            {
                where = context.Addresses.Resolve(service);
            }
        }
        catch (CliException)
        {
            // The address did resolve when the call was made; if it no longer does, the status alone is said.
        }

        var (address, source) = where;
        return ex.StatusCode switch
        {
            StatusCode.Unavailable when address is not null =>
                $"cannot reach the {service} service at {address} ({source}): {ex.Status.Detail.TrimEnd('.')}; is the platform running? "
                + "(make up; if it was started with CAUCHY_PORT_OFFSET or CAUCHY_RUN_DIR, set the same here)",
            StatusCode.DeadlineExceeded when address is not null =>
                $"the {service} service at {address} ({source}) did not answer in time: {ex.Status.Detail} (DEADLINE_EXCEEDED)",
            StatusCode.Unauthenticated when context is not null => context.Credentials.Token is null
                ? $"{ex.Status.Detail} (UNAUTHENTICATED): no token found; the CLI looked in {context.Credentials.Places}"
                : $"{ex.Status.Detail} (UNAUTHENTICATED): the token from {context.Credentials.Source} was refused (unknown, expired or revoked); the CLI looks in {context.Credentials.Places}",
            StatusCode.PermissionDenied when context is not null =>
                $"{ex.Status.Detail} (PERMISSION_DENIED; token from {context.Credentials.Source})",
            StatusCode.Unimplemented => $"{ex.Status.Detail} (UNIMPLEMENTED: this server does not offer it yet)",
            _ => $"{ex.Status.Detail} ({ToConstant(ex.StatusCode)})",
        };
    }

    private static string ToConstant(StatusCode code) =>
        Show.SnakeCase(code.ToString()).ToUpperInvariant();
}
