using System.CommandLine;
using System.Security.Cryptography;
using Cauchy.Cli.Output;
using Cauchy.V1;
using Spectre.Console;

namespace Cauchy.Cli.Commands;

/// <summary><c>cauchy models list|show|promote|download</c>.</summary>
public static class ModelsCommands
{
    public static Command Create(Func<ParseResult, CliContext> context)
    {
        var models = new Command("models", "Inspect, promote and download registered models");
        models.Aliases.Add("model");
        models.Subcommands.Add(ListCommand(context));
        models.Subcommands.Add(ShowCommand(context));
        models.Subcommands.Add(PromoteCommand(context));
        models.Subcommands.Add(DownloadCommand(context));
        return models;
    }

    private static V1.Models.ModelsClient Client(CliContext c) => c.Client("registry", invoker => new V1.Models.ModelsClient(invoker));

    private static Command ListCommand(Func<ParseResult, CliContext> context)
    {
        var prefix = new Option<string?>("--name-prefix") { Description = "Only models whose name starts with this" };
        var stage = new Option<string?>("--stage") { Description = "Only models with a version in this stage" };
        var command = new Command("list", "List models") { prefix, stage };
        command.Aliases.Add("ls");
        command.SetServiceAction("registry", async (parse, ct) =>
        {
            var c = context(parse);
            var request = new ListModelsRequest { PageSize = 200, NamePrefix = parse.GetValue(prefix) ?? "" };
            if (parse.GetValue(stage) is { } s)
            {
                request.Stage = CommandHelpers.ParseEnum<ModelStage>(s, "stage");
            }

            var all = new List<Model>();
            do
            {
                var page = await Client(c).ListModelsAsync(request, deadline: c.Deadline(), cancellationToken: ct);
                all.AddRange(page.Models);
                request.PageToken = page.NextPageToken;
            }
            while (request.PageToken.Length > 0);

            c.Out.List(all, ["NAME", "TASK", "ARCHITECTURE", "LATEST", "AGE"], m =>
                [m.Name, Show.Enum(m.TaskType), m.Architecture, m.LatestVersion == 0 ? "-" : m.LatestVersion.ToString(), Show.Age(m.CreateTime)]);
        });
        return command;
    }

    private static Command ShowCommand(Func<ParseResult, CliContext> context)
    {
        var name = new Argument<string>("model") { Description = "NAME for the model and its versions, or NAME:VERSION for one version" };
        var command = new Command("show", "Show a model and its versions, or one version") { name };
        command.Aliases.Add("get");
        command.SetServiceAction("registry", async (parse, ct) =>
        {
            var c = context(parse);
            var text = parse.GetValue(name)!;
            if (text.Contains(':'))
            {
                var (model, number) = CommandHelpers.ParseModelVersion(text);
                var version = (await Client(c).GetModelVersionAsync(
                    new GetModelVersionRequest { ModelVersion = new ModelVersionRef { ModelName = model, Version = number } }, deadline: c.Deadline(), cancellationToken: ct)).ModelVersion;
                c.Out.Item(version, () => Printer.Fields(
                    ("Model", version.ModelName),
                    ("Version", version.Version.ToString()),
                    ("Stage", Show.Enum(version.Stage)),
                    ("Job", version.Lineage?.JobId is { Length: > 0 } job ? job : "-"),
                    ("Dataset", version.Lineage?.DatasetVersion is { } d ? $"{d.DatasetId}@{d.VersionId}" : "-"),
                    ("Metrics", string.Join(", ", version.Metrics.Select(m => $"{m.Name}={Show.Number(m.Value)}"))),
                    ("Weights", version.Weights is { } w ? $"{Show.Bytes(w.SizeBytes)} sha256:{w.Sha256}" : "-"),
                    ("Created", Show.Time(version.CreateTime))));
                return;
            }

            var modelInfo = (await Client(c).GetModelAsync(new GetModelRequest { ModelName = text }, deadline: c.Deadline(), cancellationToken: ct)).Model;
            var versions = (await Client(c).ListModelVersionsAsync(new ListModelVersionsRequest { ModelName = text, PageSize = 50 }, deadline: c.Deadline(), cancellationToken: ct)).ModelVersions;
            c.Out.Item(modelInfo, () =>
            {
                var table = new Table().Border(TableBorder.None).AddColumns("VERSION", "STAGE", "METRICS", "JOB", "AGE");
                foreach (var v in versions)
                {
                    table.AddRow(
                        v.Version.ToString(),
                        Show.Enum(v.Stage),
                        Markup.Escape(string.Join(" ", v.Metrics.Select(m => $"{m.Name}={Show.Number(m.Value)}"))),
                        Markup.Escape(v.Lineage?.JobId ?? "-"),
                        Show.Age(v.CreateTime));
                }

                return new Rows(
                    Printer.Fields(("Name", modelInfo.Name), ("Task", Show.Enum(modelInfo.TaskType)), ("Architecture", modelInfo.Architecture), ("Created", Show.Time(modelInfo.CreateTime))),
                    new Text(""),
                    table);
            });
        });
        return command;
    }

    private static Command PromoteCommand(Func<ParseResult, CliContext> context)
    {
        var name = new Argument<string>("version") { Description = "NAME:VERSION" };
        var stage = new Option<string>("--stage") { Description = "staging, production, archived or none", DefaultValueFactory = _ => "production" };
        var keep = new Option<bool>("--keep-existing") { Description = "Do not archive the version now in the target stage" };
        var command = new Command("promote", "Move a model version to another stage (default production)") { name, stage, keep };
        command.SetServiceAction("registry", async (parse, ct) =>
        {
            var c = context(parse);
            var (model, number) = CommandHelpers.ParseModelVersion(parse.GetValue(name)!);
            var request = new TransitionStageRequest
            {
                ModelVersion = new ModelVersionRef { ModelName = model, Version = number },
                TargetStage = CommandHelpers.ParseEnum<ModelStage>(parse.GetValue(stage)!, "stage"),
            };
            if (parse.GetValue(keep))
            {
                request.ArchiveExisting = false;
            }

            var response = await Client(c).TransitionStageAsync(request, deadline: c.Deadline(), cancellationToken: ct);
            var archived = response.ArchivedVersions.Count == 0 ? "" : $"; archived {string.Join(", ", response.ArchivedVersions.Select(v => $"{v.ModelName}:{v.Version}"))}";
            c.Out.Done($"model/{model}:{number} is now {Show.Enum(response.ModelVersion.Stage)}{archived}", response);
        });
        return command;
    }

    private static Command DownloadCommand(Func<ParseResult, CliContext> context)
    {
        var name = new Argument<string>("version") { Description = "NAME:VERSION" };
        var kind = new Option<string>("--artifact") { Description = "weights or model_card", DefaultValueFactory = _ => "weights" };
        var output = new Option<string?>("--output-file", "-O") { Description = "Where to write it (default NAME-VERSION.safetensors or .json)" };
        var command = new Command("download", "Download a model version's weights or model card, checking its sha256") { name, kind, output };
        command.SetServiceAction("registry", async (parse, ct) =>
        {
            var c = context(parse);
            var (model, number) = CommandHelpers.ParseModelVersion(parse.GetValue(name)!);
            var artifact = CommandHelpers.ParseEnum<ArtifactKind>(parse.GetValue(kind)!, "artifact");
            var path = parse.GetValue(output) ?? $"{model}-{number}{(artifact == ArtifactKind.ModelCard ? ".json" : ".safetensors")}";
            var partial = path + ".partial";
            using var call = Client(c).DownloadArtifact(
                new DownloadArtifactRequest { ModelVersion = new ModelVersionRef { ModelName = model, Version = number }, Kind = artifact }, cancellationToken: ct);
            ObjectRef? described = null;
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = File.Create(partial))
            {
                if (!await call.ResponseStream.MoveNext(ct) || call.ResponseStream.Current.PayloadCase != DownloadArtifactResponse.PayloadOneofCase.Artifact)
                {
                    throw new CliException("the registry's answer did not start with the artifact's description");
                }

                described = call.ResponseStream.Current.Artifact;
                long received = 0;
                await CommandHelpers.WithProgressAsync(c, $"downloading {Path.GetFileName(path)}", described.SizeBytes, async report =>
                {
                    while (await call.ResponseStream.MoveNext(ct))
                    {
                        var chunk = call.ResponseStream.Current.Chunk.Memory;
                        hash.AppendData(chunk.Span);
                        await file.WriteAsync(chunk, ct);
                        received += chunk.Length;
                        report(received);
                    }
                });
            }

            var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (described.Sha256.Length > 0 && !string.Equals(actual, described.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                File.Delete(partial);
                throw new CliException($"the download's sha256 {actual} differs from the registry's {described.Sha256}; nothing was written");
            }

            File.Move(partial, path, overwrite: true);
            c.Out.Done($"wrote {path} ({Show.Bytes(new FileInfo(path).Length)}, sha256 {actual})", described);
        });
        return command;
    }
}
