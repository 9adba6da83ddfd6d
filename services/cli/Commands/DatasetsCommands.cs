using System.CommandLine;
using System.Formats.Tar;
using System.IO.Pipelines;
using System.Security.Cryptography;
using Cauchy.Cli.Output;
using Cauchy.V1;
using Google.Protobuf;
using Spectre.Console;

namespace Cauchy.Cli.Commands;

/// <summary><c>cauchy datasets create|list|show|import|delete</c>.</summary>
public static class DatasetsCommands
{
    private const int ChunkSize = 1024 * 1024;

    public static Command Create(Func<ParseResult, CliContext> context)
    {
        var datasets = new Command("datasets", "Create, import and inspect datasets");
        datasets.Aliases.Add("dataset");
        datasets.Subcommands.Add(CreateCommand(context));
        datasets.Subcommands.Add(ListCommand(context));
        datasets.Subcommands.Add(ShowCommand(context));
        datasets.Subcommands.Add(ImportCommand(context));
        datasets.Subcommands.Add(DeleteCommand(context));
        return datasets;
    }

    private static Datasets.DatasetsClient Client(CliContext c) => c.Client("datasets", invoker => new Datasets.DatasetsClient(invoker));

    private static Command CreateCommand(Func<ParseResult, CliContext> context)
    {
        var id = new Argument<string>("id") { Description = "Dataset id (lowercase letters, digits, '-')" };
        var task = new Option<string>("--task") { Description = "classification, detection or segmentation", Required = true };
        var name = new Option<string?>("--display-name") { Description = "Name shown in listings" };
        var description = new Option<string?>("--description");
        var command = new Command("create", "Create an empty dataset") { id, task, name, description };
        command.SetServiceAction("datasets", async (parse, ct) =>
        {
            var c = context(parse);
            var response = await Client(c).CreateDatasetAsync(
                new CreateDatasetRequest
                {
                    DatasetId = parse.GetValue(id)!,
                    TaskType = CommandHelpers.ParseEnum<TaskType>(parse.GetValue(task)!, "task type"),
                    DisplayName = parse.GetValue(name) ?? "",
                    Description = parse.GetValue(description) ?? "",
                },
                deadline: c.Deadline(),
                cancellationToken: ct);
            c.Out.Done($"dataset/{response.Dataset.Id} created", response.Dataset);
        });
        return command;
    }

    private static Command ListCommand(Func<ParseResult, CliContext> context)
    {
        var task = new Option<string?>("--task") { Description = "Only datasets of this task type" };
        var command = new Command("list", "List datasets") { task };
        command.Aliases.Add("ls");
        command.SetServiceAction("datasets", async (parse, ct) =>
        {
            var c = context(parse);
            var request = new ListDatasetsRequest { PageSize = 200 };
            if (parse.GetValue(task) is { } t)
            {
                request.TaskType = CommandHelpers.ParseEnum<TaskType>(t, "task type");
            }

            var all = new List<Dataset>();
            do
            {
                var page = await Client(c).ListDatasetsAsync(request, deadline: c.Deadline(), cancellationToken: ct);
                all.AddRange(page.Datasets);
                request.PageToken = page.NextPageToken;
            }
            while (request.PageToken.Length > 0);

            c.Out.List(all, ["ID", "TASK", "VERSIONS", "LATEST", "AGE"], d =>
                [d.Id, Show.Enum(d.TaskType), d.VersionCount.ToString(), d.LatestVersionId.Length == 0 ? "-" : d.LatestVersionId, Show.Age(d.CreateTime)]);
        });
        return command;
    }

    private static Command ShowCommand(Func<ParseResult, CliContext> context)
    {
        var id = new Argument<string>("id") { Description = "Dataset id, or DATASET@VERSION for one version" };
        var command = new Command("show", "Show a dataset and its versions, or one version") { id };
        command.Aliases.Add("get");
        command.SetServiceAction("datasets", async (parse, ct) =>
        {
            var c = context(parse);
            var text = parse.GetValue(id)!;
            var at = text.IndexOf('@');
            if (at > 0)
            {
                var version = (await Client(c).GetDatasetVersionAsync(
                    new GetDatasetVersionRequest { DatasetId = text[..at], VersionId = text[(at + 1)..] }, deadline: c.Deadline(), cancellationToken: ct)).Version;
                c.Out.Item(version, () => Printer.Fields(
                    ("Dataset", version.DatasetId),
                    ("Version", version.VersionId),
                    ("Task", Show.Enum(version.TaskType)),
                    ("Format", Show.Enum(version.Format)),
                    ("Samples", version.SampleCount.ToString()),
                    ("Splits", string.Join(", ", version.SplitCounts.Select(s => $"{Show.Enum(s.Split)} {s.SampleCount}"))),
                    ("Classes", string.Join(", ", version.ClassNames)),
                    ("Size", Show.Bytes(version.SizeBytes)),
                    ("Created", Show.Time(version.CreateTime))));
                return;
            }

            var dataset = (await Client(c).GetDatasetAsync(new GetDatasetRequest { DatasetId = text }, deadline: c.Deadline(), cancellationToken: ct)).Dataset;
            var versions = (await Client(c).ListDatasetVersionsAsync(new ListDatasetVersionsRequest { DatasetId = text, PageSize = 50 }, deadline: c.Deadline(), cancellationToken: ct)).Versions;
            // The class list is a version's (class ids index it); the plain form shows the latest version's.
            var latest = dataset.LatestVersionId.Length == 0 ? null
                : versions.FirstOrDefault(v => v.VersionId == dataset.LatestVersionId)
                  ?? (c.Out.Format == OutputFormat.Json ? null : (await Client(c).GetDatasetVersionAsync(
                      new GetDatasetVersionRequest { DatasetId = text, VersionId = dataset.LatestVersionId }, deadline: c.Deadline(), cancellationToken: ct)).Version);
            c.Out.Item(dataset, () =>
            {
                var rows = new Rows(
                    Printer.Fields(
                        ("Id", dataset.Id),
                        ("Task", Show.Enum(dataset.TaskType)),
                        ("Description", dataset.Description.Length == 0 ? "-" : dataset.Description),
                        ("Created", Show.Time(dataset.CreateTime)),
                        ("Versions", dataset.VersionCount.ToString()),
                        ("Classes", latest is null ? "-"
                            : $"{(latest.ClassNames.Count == 0 ? "-" : string.Join(", ", latest.ClassNames))} (latest version, {latest.VersionId})")),
                    new Text(""),
                    VersionTable(versions));
                return rows;
            });
        });
        return command;
    }

    private static Table VersionTable(IEnumerable<DatasetVersion> versions)
    {
        var table = new Table().Border(TableBorder.None).AddColumns("VERSION", "FORMAT", "SAMPLES", "SPLITS", "SIZE", "AGE");
        foreach (var v in versions)
        {
            table.AddRow(
                v.VersionId,
                Show.Enum(v.Format),
                v.SampleCount.ToString(),
                Markup.Escape(string.Join(" ", v.SplitCounts.Select(s => $"{Show.Enum(s.Split)}={s.SampleCount}"))),
                Show.Bytes(v.SizeBytes),
                Show.Age(v.CreateTime));
        }

        return table;
    }

    private static Command ImportCommand(Func<ParseResult, CliContext> context)
    {
        var id = new Argument<string>("id") { Description = "Dataset that receives the version" };
        var path = new Argument<string>("path") { Description = "An archive (.tar, .tar.gz, .tgz, .zip) or a folder (sent as a tar), or an object-store URI with --from-uri" };
        var format = new Option<string>("--format", "-f") { Description = "image_folder, coco_json, pascal_voc, segmentation_masks or idx", Required = true };
        var classes = new Option<string?>("--classes") { Description = "Comma-separated class names, when the format does not carry them" };
        var seed = new Option<long>("--seed") { Description = "Seed of the split shuffle", DefaultValueFactory = _ => 0 };
        var keepSplits = new Option<bool>("--keep-source-splits") { Description = "Keep the splits the source declares (e.g. IDX train/t10k)" };
        var trainFraction = new Option<double?>("--train-fraction") { Description = "Share of the samples for training (the three fractions sum to 1; default 0.8 / 0.1 / 0.1)" };
        var validationFraction = new Option<double?>("--validation-fraction")
        {
            Description = "Share for validation; with --keep-source-splits, the share of a source's train split moved to validation when it has none",
        };
        var testFraction = new Option<double?>("--test-fraction") { Description = "Share for testing" };
        var dropInvalid = new Option<bool>("--drop-invalid") { Description = "Drop invalid samples instead of rejecting the import" };
        var fromUri = new Option<bool>("--from-uri") { Description = "PATH is an object-store URI the service reads itself" };
        var description = new Option<string?>("--description");
        var command = new Command("import", "Import a new version of a dataset") { id, path, format, classes, seed, keepSplits, trainFraction, validationFraction, testFraction, dropInvalid, fromUri, description };
        command.SetServiceAction("datasets", async (parse, ct) =>
        {
            var c = context(parse);
            var source = parse.GetValue(path)!;
            var header = new ImportDatasetVersionHeader
            {
                DatasetId = parse.GetValue(id)!,
                Format = CommandHelpers.ParseEnum<DatasetFormat>(parse.GetValue(format)!, "dataset format"),
                Split = SplitSpec(parse.GetValue(seed), parse.GetValue(keepSplits), parse.GetValue(trainFraction), parse.GetValue(validationFraction), parse.GetValue(testFraction)),
                InvalidSamples = parse.GetValue(dropInvalid) ? InvalidSamplePolicy.DropInvalid : InvalidSamplePolicy.RejectImport,
                Description = parse.GetValue(description) ?? "",
            };
            if (parse.GetValue(classes) is { } names)
            {
                header.ClassNames.AddRange(names.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
            }

            ImportDatasetVersionResponse response;
            using var call = Client(c).ImportDatasetVersion(cancellationToken: ct);
            if (parse.GetValue(fromUri))
            {
                header.SourceUri = source;
                await call.RequestStream.WriteAsync(new ImportDatasetVersionRequest { Header = header }, ct);
                await call.RequestStream.CompleteAsync();
                response = await call.ResponseAsync;
            }
            else
            {
                response = await UploadAsync(c, call, header, source, ct);
            }

            PrintImport(c, response);
        });
        return command;
    }

    /// <summary>
    /// The import's split spec. Fractions left out make up the rest of 1 when one or two are given (e.g.
    /// <c>--train-fraction 0.9 --validation-fraction 0.1</c> leaves 0 for test), and the service's defaults apply
    /// when none is; the service checks the sum and the range and names the field when they are wrong.
    /// </summary>
    public static SplitSpec SplitSpec(long seed, bool keepSourceSplits, double? train, double? validation, double? test)
    {
        var spec = new SplitSpec { Seed = seed, KeepSourceSplits = keepSourceSplits };
        double?[] given = [train, validation, test];
        if (given.All(f => f is null))
        {
            return spec;
        }

        if (given.Any(f => f is < 0 or > 1 || (f is { } v && double.IsNaN(v))))
        {
            throw new CliException("--train-fraction, --validation-fraction and --test-fraction must each be between 0 and 1");
        }

        var missing = given.Count(f => f is null);
        var rest = Math.Max(0, 1 - given.Sum(f => f ?? 0));
        spec.TrainFraction = train ?? rest / missing;
        spec.ValidationFraction = validation ?? rest / missing;
        spec.TestFraction = test ?? rest / missing;
        return spec;
    }

    private static async Task<ImportDatasetVersionResponse> UploadAsync(
        CliContext c,
        global::Grpc.Core.AsyncClientStreamingCall<ImportDatasetVersionRequest, ImportDatasetVersionResponse> call,
        ImportDatasetVersionHeader header,
        string source,
        CancellationToken ct)
    {
        Stream stream;
        long total;
        if (Directory.Exists(source))
        {
            // A folder is sent as a tar written on the fly: nothing is staged on disk, and the size is unknown upfront.
            header.ArchiveKind = ArchiveKind.Tar;
            header.Upload = new ArchiveUpload();
            var pipe = new Pipe();
            _ = Task.Run(async () =>
            {
                try
                {
                    await using var output = pipe.Writer.AsStream();
                    await TarFile.CreateFromDirectoryAsync(source, output, includeBaseDirectory: false, ct);
                    await pipe.Writer.CompleteAsync();
                }
                catch (Exception ex)
                {
                    await pipe.Writer.CompleteAsync(ex);
                }
            }, ct);
            stream = pipe.Reader.AsStream();
            total = 0;
        }
        else if (File.Exists(source))
        {
            header.ArchiveKind = source switch
            {
                _ when source.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) => ArchiveKind.Zip,
                _ when source.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) || source.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase) => ArchiveKind.TarGzip,
                _ when source.EndsWith(".tar", StringComparison.OrdinalIgnoreCase) => ArchiveKind.Tar,
                _ => throw new CliException($"cannot tell the archive kind of '{source}': name it .tar, .tar.gz, .tgz or .zip, or pass a folder"),
            };
            total = new FileInfo(source).Length;
            header.Upload = new ArchiveUpload { SizeBytes = total, Sha256 = await Sha256Async(source, ct) };
            stream = File.OpenRead(source);
        }
        else
        {
            throw new CliException($"'{source}' is neither a file nor a folder");
        }

        await using (stream)
        {
            await call.RequestStream.WriteAsync(new ImportDatasetVersionRequest { Header = header }, ct);
            var buffer = new byte[ChunkSize];
            long sent = 0;
            await CommandHelpers.WithProgressAsync(c, $"uploading {Path.GetFileName(Path.TrimEndingDirectorySeparator(source))}", total, async report =>
            {
                int read;
                while ((read = await stream.ReadAsync(buffer, ct)) > 0)
                {
                    await call.RequestStream.WriteAsync(new ImportDatasetVersionRequest { Chunk = ByteString.CopyFrom(buffer, 0, read) }, ct);
                    sent += read;
                    report(sent);
                }
            });
            await call.RequestStream.CompleteAsync();
        }

        if (c.Out.Interactive)
        {
            c.Out.Console.MarkupLine("[grey]uploaded; the service is validating and sharding…[/]");
        }

        return await call.ResponseAsync;
    }

    private static void PrintImport(CliContext c, ImportDatasetVersionResponse response)
    {
        var report = response.Report;
        if (c.Out.Format == OutputFormat.Json)
        {
            c.Out.Done("", response);
            return;
        }

        if (response.Version is { } v)
        {
            c.Out.Writer.WriteLine(
                $"dataset/{v.DatasetId}@{v.VersionId} {(response.AlreadyExisted ? "already existed" : "imported")}: {v.SampleCount} samples ({string.Join(", ", v.SplitCounts.Select(s => $"{Show.Enum(s.Split)} {s.SampleCount}"))})");
        }

        if (report is not null && (report.SamplesDropped > 0 || report.IssueCounts.Count > 0))
        {
            c.Out.Writer.WriteLine($"validation: {report.SamplesSeen} seen, {report.SamplesAccepted} accepted, {report.SamplesDropped} dropped");
            foreach (var issue in report.IssueCounts)
            {
                c.Out.Writer.WriteLine($"  {Show.Enum(issue.Kind)}: {issue.Count}");
            }

            foreach (var issue in report.Issues.Take(10))
            {
                c.Out.Writer.WriteLine($"  {issue.SourcePath}: {issue.Message}");
            }
        }
    }

    private static Command DeleteCommand(Func<ParseResult, CliContext> context)
    {
        var id = new Argument<string>("id") { Description = "Dataset id, or DATASET@VERSION to delete one version" };
        var force = new Option<bool>("--force") { Description = "Delete a dataset that still has versions" };
        var command = new Command("delete", "Delete a dataset or one of its versions") { id, force };
        command.SetServiceAction("datasets", async (parse, ct) =>
        {
            var c = context(parse);
            var text = parse.GetValue(id)!;
            var at = text.IndexOf('@');
            if (at > 0)
            {
                await Client(c).DeleteDatasetVersionAsync(new DeleteDatasetVersionRequest { DatasetId = text[..at], VersionId = text[(at + 1)..] }, deadline: c.Deadline(), cancellationToken: ct);
            }
            else
            {
                await Client(c).DeleteDatasetAsync(new DeleteDatasetRequest { DatasetId = text, Force = parse.GetValue(force) }, deadline: c.Deadline(), cancellationToken: ct);
            }

            c.Out.Done($"dataset/{text} deleted");
        });
        return command;
    }

    private static async Task<string> Sha256Async(string path, CancellationToken ct)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct));
    }
}
