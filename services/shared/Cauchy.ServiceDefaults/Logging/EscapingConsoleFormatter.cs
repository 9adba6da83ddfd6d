using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Cauchy.ServiceDefaults.Logging;

/// <summary>
/// The <c>simple</c> log format: one line per entry, <c>timestamp level: category[event id] message exception</c>, with
/// the message (and so every value formatted into it) and the exception passed through <see cref="LogText.Escape"/>. A
/// stack trace therefore stays on its entry's line, its line breaks written as <c>\n</c>. The <c>json</c> format needs no
/// such wrapper: its writer escapes every control character in every string it writes.
/// </summary>
public sealed class EscapingConsoleFormatter(IOptionsMonitor<ConsoleFormatterOptions> options) : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "cauchy-simple";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        ArgumentNullException.ThrowIfNull(textWriter);
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        var settings = options.CurrentValue;
        var line = new StringBuilder(256);
        if (settings.TimestampFormat is { } timestampFormat)
        {
            var now = settings.UseUtcTimestamp ? DateTimeOffset.UtcNow : DateTimeOffset.Now;
            line.Append(now.ToString(timestampFormat, CultureInfo.InvariantCulture));
        }

        line.Append(LevelName(logEntry.LogLevel)).Append(": ");
        LogText.Append(line, logEntry.Category);
        line.Append('[').Append(logEntry.EventId.Id.ToString(CultureInfo.InvariantCulture)).Append("] ");
        LogText.Append(line, message ?? "");
        if (logEntry.Exception is { } exception)
        {
            line.Append(' ');
            LogText.Append(line, exception.ToString());
        }

        line.Append('\n');
        textWriter.Write(line);
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
