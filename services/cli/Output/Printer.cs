using System.Text.Json;
using Google.Protobuf;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Cauchy.Cli.Output;

public enum OutputFormat
{
    Table,
    Json,
}

/// <summary>
/// Prints results as kubectl does: a table for people, or <c>-o json</c> (protobuf's JSON mapping, indented) for
/// scripts. Tables go through Spectre.Console; without a terminal they are plain text with no colour codes.
/// </summary>
public sealed class Printer
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public Printer(TextWriter writer, OutputFormat format, bool interactive)
    {
        Writer = writer;
        Format = format;
        Interactive = interactive;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!interactive)
        {
            Console.Profile.Width = 240;
        }
    }

    public TextWriter Writer { get; }

    public OutputFormat Format { get; }

    /// <summary>True when stdout is a terminal: progress bars and live views are drawn only then.</summary>
    public bool Interactive { get; }

    public IAnsiConsole Console { get; }

    /// <summary>Prints one message: as JSON, or through <paramref name="table"/> (a renderable built by the command).</summary>
    public void Item(IMessage message, Func<IRenderable> table)
    {
        if (Format == OutputFormat.Json)
        {
            Writer.WriteLine(Indent(Formatter.Format(message)));
        }
        else
        {
            Console.Write(table());
        }
    }

    /// <summary>Prints a list: a JSON array of the messages, or a table with one row per message.</summary>
    public void List<T>(IReadOnlyList<T> items, string[] columns, Func<T, string[]> row)
        where T : IMessage
    {
        if (Format == OutputFormat.Json)
        {
            Writer.WriteLine(Indent("[" + string.Join(",", items.Select(i => Formatter.Format(i))) + "]"));
            return;
        }

        if (items.Count == 0)
        {
            Writer.WriteLine("No resources found.");
            return;
        }

        var table = new Table().Border(TableBorder.None).HideRowSeparators();
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(column).PadLeft(0).PadRight(3));
        }

        foreach (var item in items)
        {
            table.AddRow(row(item).Select(cell => new Text(cell)).ToArray<IRenderable>());
        }

        Console.Write(table);
    }

    /// <summary>A short confirmation ("job/abc submitted"); in JSON mode the message itself is printed instead.</summary>
    public void Done(string text, IMessage? message = null)
    {
        if (Format == OutputFormat.Json && message is not null)
        {
            Writer.WriteLine(Indent(Formatter.Format(message)));
        }
        else if (Format == OutputFormat.Table)
        {
            Writer.WriteLine(text);
        }
    }

    /// <summary>A field list: NAME: value lines, as kubectl describe.</summary>
    public static IRenderable Fields(params (string Name, string Value)[] fields)
    {
        var grid = new Grid().AddColumn(new GridColumn().PadRight(2)).AddColumn();
        foreach (var (name, value) in fields)
        {
            grid.AddRow(new Text(name + ":"), new Text(value));
        }

        return grid;
    }

    private static string Indent(string json)
    {
        using var document = JsonDocument.Parse(json);
        return JsonSerializer.Serialize(document.RootElement, IndentedOptions);
    }

    private static readonly JsonSerializerOptions IndentedOptions = new() { WriteIndented = true };
}
