using System.Globalization;
using System.Text;

namespace Cauchy.ServiceDefaults.Logging;

/// <summary>
/// Log text made safe to ship: control characters (C0, DEL, C1) and the Unicode line and paragraph separators are
/// written as escapes (<c>\n</c>, <c>\r</c>, <c>\t</c>, <c>\u001b</c>, ...), so user input cannot end a log line early,
/// forge the next one, or send terminal escape sequences to whoever reads the log.
/// </summary>
public static class LogText
{
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Any(NeedsEscape))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16);
        Append(builder, text);
        return builder.ToString();
    }

    /// <summary>Appends <paramref name="text"/> to <paramref name="builder"/>, escaped.</summary>
    public static void Append(StringBuilder builder, string text)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(text);
        foreach (var c in text)
        {
            if (!NeedsEscape(c))
            {
                builder.Append(c);
                continue;
            }

            builder.Append(c switch
            {
                '\n' => @"\n",
                '\r' => @"\r",
                '\t' => @"\t",
                _ => string.Create(CultureInfo.InvariantCulture, $@"\u{(int)c:x4}"),
            });
        }
    }

    private static bool NeedsEscape(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
