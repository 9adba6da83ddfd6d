using Cauchy.ServiceDefaults.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Xunit;

namespace Cauchy.ServiceDefaults.Tests.Logging;

public sealed class EscapingConsoleFormatterTests
{
    [Fact]
    public void Control_characters_are_written_as_escapes_and_other_text_unchanged()
    {
        Assert.Equal(@"a\u0000b\u001b[31m\r\nc\t\u007f\u0085\u2028 é ✓ \ ok", LogText.Escape("a\0b\u001b[31m\r\nc\t\u007f\u0085\u2028 é ✓ \\ ok"));
        Assert.Equal("plain text", LogText.Escape("plain text"));
    }

    [Fact]
    public void An_entry_is_one_line_whatever_its_values_and_exception_hold()
    {
        var formatter = new EscapingConsoleFormatter(new FixedOptions(new ConsoleFormatterOptions()));
        var exception = new InvalidOperationException("bad\r\nthing");
        var state = new Dictionary<string, object?> { ["Name"] = "x\0y\r\nFORGED" };
        using var writer = new StringWriter();

        formatter.Write(new LogEntry<Dictionary<string, object?>>(LogLevel.Warning, "Cauchy.Test", new EventId(7), state, exception,
            static (s, _) => $"dataset {s["Name"]} refused"), null, writer);

        var text = writer.ToString();
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(@"warn: Cauchy.Test[7] dataset x\u0000y\r\nFORGED refused System.InvalidOperationException: bad\r\nthing", text, StringComparison.Ordinal);
        Assert.DoesNotContain(text.TrimEnd('\n'), c => char.IsControl(c));
    }

    private sealed class FixedOptions(ConsoleFormatterOptions value) : IOptionsMonitor<ConsoleFormatterOptions>
    {
        public ConsoleFormatterOptions CurrentValue => value;

        public ConsoleFormatterOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<ConsoleFormatterOptions, string?> listener) => null;
    }
}
