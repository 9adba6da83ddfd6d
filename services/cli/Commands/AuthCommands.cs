using System.CommandLine;
using System.Globalization;
using Cauchy.Cli.Output;
using Cauchy.V1;
using Google.Protobuf.WellKnownTypes;

namespace Cauchy.Cli.Commands;

/// <summary><c>cauchy auth token create|list|revoke</c> and <c>cauchy auth whoami</c>.</summary>
public static class AuthCommands
{
    public static Command Create(Func<ParseResult, CliContext> context)
    {
        var auth = new Command("auth", "Platform tokens and who you are");
        var token = new Command("token", "Create, list and revoke platform tokens (admin)");
        token.Aliases.Add("tokens");
        token.Subcommands.Add(CreateCommand(context));
        token.Subcommands.Add(ListCommand(context));
        token.Subcommands.Add(RevokeCommand(context));
        auth.Subcommands.Add(token);
        auth.Subcommands.Add(WhoAmICommand(context));
        return auth;
    }

    private static V1.Auth.AuthClient Client(CliContext c) => c.Client("jobs", invoker => new V1.Auth.AuthClient(invoker));

    private static Command CreateCommand(Func<ParseResult, CliContext> context)
    {
        var name = new Option<string>("--name") { Description = "Who or what the token is for", Required = true };
        var role = new Option<string>("--role") { Description = "viewer, researcher, maintainer or admin", Required = true };
        var expiresIn = new Option<string?>("--expires-in") { Description = "Lifetime, e.g. 30d, 12h, 90m (default: no expiry)" };
        var command = new Command("create", "Create a token; its secret is printed once") { name, role, expiresIn };
        command.SetServiceAction("jobs", async (parse, ct) =>
        {
            var c = context(parse);
            var request = new CreateTokenRequest { Name = parse.GetValue(name)!, Role = parse.GetValue(role)! };
            if (parse.GetValue(expiresIn) is { } text)
            {
                request.ExpiresIn = Duration.FromTimeSpan(ParseLifetime(text));
            }

            var response = await Client(c).CreateTokenAsync(request, deadline: c.Deadline(), cancellationToken: ct);
            if (c.Out.Format == OutputFormat.Json)
            {
                c.Out.Done("", response);
            }
            else
            {
                c.Out.Writer.WriteLine($"token/{response.Token.TokenId} created: {response.Token.Name} ({response.Token.Role}), expires {Expiry(response.Token)}");
                c.Out.Writer.WriteLine(response.Secret);
            }

            await c.Error.WriteLineAsync("warning: this secret is shown only now and cannot be shown again; keep it somewhere safe.");
        });
        return command;
    }

    private static Command ListCommand(Func<ParseResult, CliContext> context)
    {
        var command = new Command("list", "List tokens (never their secrets)");
        command.Aliases.Add("ls");
        command.SetServiceAction("jobs", async (parse, ct) =>
        {
            var c = context(parse);
            var tokens = (await Client(c).ListTokensAsync(new ListTokensRequest(), deadline: c.Deadline(), cancellationToken: ct)).Tokens;
            c.Out.List(tokens, ["ID", "NAME", "ROLE", "AGE", "EXPIRES", "LAST USED", "REVOKED"], t =>
            [
                t.TokenId,
                t.Name,
                t.Role,
                Show.Age(t.CreateTime),
                Expiry(t),
                t.LastUsedTime is null ? "never" : Show.Time(t.LastUsedTime),
                t.RevokeTime is null ? "-" : Show.Time(t.RevokeTime),
            ]);
        });
        return command;
    }

    private static Command RevokeCommand(Func<ParseResult, CliContext> context)
    {
        var id = new Argument<string>("id") { Description = "The token's id (from cauchy auth token list)" };
        var command = new Command("revoke", "Revoke a token") { id };
        command.SetServiceAction("jobs", async (parse, ct) =>
        {
            var c = context(parse);
            var token = (await Client(c).RevokeTokenAsync(new RevokeTokenRequest { TokenId = parse.GetValue(id)! }, deadline: c.Deadline(), cancellationToken: ct)).Token;
            c.Out.Done($"token/{token.TokenId} revoked ({token.Name})", token);
        });
        return command;
    }

    private static Command WhoAmICommand(Func<ParseResult, CliContext> context)
    {
        var command = new Command("whoami", "Show the principal and role of the token in use");
        command.SetServiceAction("jobs", async (parse, ct) =>
        {
            var c = context(parse);
            var me = await Client(c).WhoAmIAsync(new WhoAmIRequest(), deadline: c.Deadline(), cancellationToken: ct);
            c.Out.Done($"{me.Principal} ({me.Role}); token from {c.Credentials.Source}", me);
        });
        return command;
    }

    /// <summary>A lifetime such as <c>30d</c>, <c>12h</c>, <c>90m</c> or <c>45s</c>.</summary>
    public static TimeSpan ParseLifetime(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length >= 2
            && double.TryParse(trimmed[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)
            && amount > 0)
        {
            switch (trimmed[^1])
            {
                case 'd': return TimeSpan.FromDays(amount);
                case 'h': return TimeSpan.FromHours(amount);
                case 'm': return TimeSpan.FromMinutes(amount);
                case 's': return TimeSpan.FromSeconds(amount);
            }
        }

        throw new CliException($"--expires-in '{text}' is not a lifetime; write a positive number followed by d, h, m or s, e.g. 30d");
    }

    private static string Expiry(ApiToken token) => token.ExpireTime is null ? "never" : Show.Time(token.ExpireTime);
}
