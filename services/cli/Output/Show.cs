using System.Globalization;
using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;

namespace Cauchy.Cli.Output;

/// <summary>Short human forms of proto values for tables.</summary>
public static partial class Show
{
    /// <summary>PascalCase or camelCase in lower snake case, e.g. DetectionCoco → detection_coco, imageFolder → image_folder.</summary>
    public static string SnakeCase(string text) => WordStart().Replace(text, "_$1").ToLowerInvariant();

    /// <summary>An upper-case letter that follows a lower-case letter or a digit: where a new word starts.</summary>
    [GeneratedRegex("(?<=[a-z0-9])([A-Z])")]
    private static partial Regex WordStart();

    /// <summary>An enum value without its type prefix, lower case: TASK_TYPE_CLASSIFICATION → classification.</summary>
    public static string Enum<T>(T value)
        where T : struct, System.Enum
    {
        // Generated C# enum members drop the type prefix and are PascalCase: DetectionCoco → detection_coco.
        var name = SnakeCase(value.ToString());
        return name == "unspecified" ? "-" : name;
    }

    /// <summary>Time since <paramref name="time"/> as kubectl's AGE column: 45s, 12m, 3h, 5d.</summary>
    public static string Age(Timestamp? time, DateTimeOffset? now = null)
    {
        if (time is null || (time.Seconds == 0 && time.Nanos == 0))
        {
            return "-";
        }

        var age = (now ?? DateTimeOffset.UtcNow) - time.ToDateTimeOffset();
        return age.TotalSeconds < 0 ? "0s"
            : age.TotalMinutes < 2 ? $"{(int)age.TotalSeconds}s"
            : age.TotalHours < 2 ? $"{(int)age.TotalMinutes}m"
            : age.TotalDays < 2 ? $"{(int)age.TotalHours}h"
            : $"{(int)age.TotalDays}d";
    }

    public static string Time(Timestamp? time) =>
        time is null || (time.Seconds == 0 && time.Nanos == 0) ? "-" : time.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:F1} KiB",
        < 1024L * 1024 * 1024 => $"{bytes / (1024.0 * 1024):F1} MiB",
        _ => $"{bytes / (1024.0 * 1024 * 1024):F2} GiB",
    };

    public static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
