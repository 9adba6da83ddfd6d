using System.CommandLine;
using Cauchy.Cli.Output;
using Grpc.Core;
using Spectre.Console;

namespace Cauchy.Cli.Commands;

public static class CommandHelpers
{
    /// <summary>Runs an action that calls <paramref name="service"/>, tagging its gRPC errors with the service's name.</summary>
    public static void SetServiceAction(this Command command, string service, Func<ParseResult, CancellationToken, Task> action)
    {
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                await action(parse, cancellationToken);
                return 0;
            }
            catch (RpcException ex)
            {
                ex.Data["cauchy.service"] = service;
                throw;
            }
        });
    }

    /// <summary>Parses an enum from its short snake_case form (detection_coco), its full proto name, or its C# name.</summary>
    public static T ParseEnum<T>(string text, string what)
        where T : struct, Enum
    {
        var wanted = Normalize(text);
        foreach (var value in Enum.GetValues<T>())
        {
            var name = Normalize(value.ToString());
            if (name != "unspecified" && (name == wanted || wanted.EndsWith("_" + name, StringComparison.Ordinal)))
            {
                return value;
            }
        }

        var names = Enum.GetValues<T>().Select(v => Output.Show.Enum(v)).Where(n => n != "-");
        throw new CliException($"unknown {what} '{text}'; expected one of {string.Join(", ", names)}");
    }

    /// <summary>MODEL:VERSION or MODEL VERSION.</summary>
    public static (string Name, int Version) ParseModelVersion(string text, int? version = null)
    {
        var colon = text.LastIndexOf(':');
        if (colon > 0 && int.TryParse(text[(colon + 1)..], out var parsed) && parsed > 0)
        {
            return (text[..colon], parsed);
        }

        if (version is > 0)
        {
            return (text, version.Value);
        }

        throw new CliException($"'{text}' does not name a model version; write NAME:VERSION, e.g. fashion-mnist-cnn:3");
    }

    private static string Normalize(string text) =>
        Show.SnakeCase(text.Trim()).Replace('-', '_');

    /// <summary>Runs <paramref name="work"/> under a progress bar when stdout is a terminal; silently otherwise.</summary>
    public static async Task WithProgressAsync(CliContext c, string description, long total, Func<Action<long>, Task> work)
    {
        if (!c.Out.Interactive)
        {
            await work(_ => { });
            return;
        }

        await c.Out.Console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask(Markup.Escape(description), maxValue: total > 0 ? total : 1);
                task.IsIndeterminate = total <= 0;
                await work(done =>
                {
                    if (total > 0)
                    {
                        task.Value = done;
                    }
                    else
                    {
                        task.Description = Markup.Escape($"{description} ({Show.Bytes(done)})");
                    }
                });
                task.Value = task.MaxValue;
                task.StopTask();
            });
    }
}
