namespace Cauchy.Domain;

/// <summary>
/// The longest free text each kind of field accepts, in characters (UTF-16 code units), for every service's request
/// checks. Free text is stored and returned in lists, so an unbounded field would let one caller make every later
/// list too large for a client to read. Rows stored before a limit existed are left as they are; only new requests
/// are checked. docs/limits.md lists them.
/// </summary>
public static class TextLimits
{
    /// <summary>A display name: a line of text for tables and titles.</summary>
    public const int DisplayName = 256;

    /// <summary>A description (dataset, dataset version, model, model version): a few paragraphs of Markdown.</summary>
    public const int Description = 16 * 1024;

    /// <summary>The most labels one object carries.</summary>
    public const int LabelCount = 64;

    /// <summary>A label key: an optional DNS-subdomain prefix and '/', then a name (common.proto "Labels").</summary>
    public const int LabelKey = 317;

    /// <summary>A label value, as Kubernetes label values.</summary>
    public const int LabelValue = 63;

    /// <summary>A short note that comes with a state change: a reason for a cancel or a release, a failure message.</summary>
    public const int Note = 4 * 1024;

    /// <summary>One line of a job's log, as a trainer appends it.</summary>
    public const int LogLine = 16 * 1024;

    /// <summary>A class name (of a dataset version, a model version or an evaluation).</summary>
    public const int ClassName = 256;

    /// <summary>A model card (a JSON object), in bytes: the description, class names and metrics of a version fit well within it.</summary>
    public const int ModelCardBytes = 1024 * 1024;

    /// <summary>The deepest nesting of any JSON document the platform parses from a caller (model cards, hypes).</summary>
    public const int JsonDepth = 32;

    /// <summary>A hypes document (YAML or JSON): a full spec is a few kilobytes.</summary>
    public const int HypesDocument = 256 * 1024;

    /// <summary>
    /// INVALID_ARGUMENT naming <paramref name="field"/> and the limit when <paramref name="value"/> is longer than
    /// <paramref name="limit"/> characters.
    /// </summary>
    public static void Check(string? value, int limit, string field)
    {
        if (value is not null && value.Length > limit)
        {
            throw TooLong(value.Length, limit, field);
        }
    }

    /// <summary>
    /// INVALID_ARGUMENT naming <paramref name="field"/> when there are more than <see cref="LabelCount"/> labels, a key
    /// longer than <see cref="LabelKey"/> or a value longer than <see cref="LabelValue"/>. The label rules of each
    /// service (what a key may contain) are checked by the service.
    /// </summary>
    public static void CheckLabels(IReadOnlyCollection<KeyValuePair<string, string>> labels, string field)
    {
        if (labels.Count > LabelCount)
        {
            throw DomainException.InvalidArgument(field, $"has {labels.Count} labels; at most {LabelCount} are accepted (the limit on labels per object).");
        }

        foreach (var (key, value) in labels)
        {
            if (key.Length > LabelKey)
            {
                throw DomainException.InvalidArgument(field, $"a key has {key.Length} characters; at most {LabelKey} are accepted (the limit on label keys).");
            }

            if (value.Length > LabelValue)
            {
                throw DomainException.InvalidArgument($"{field}['{key}']", $"the value has {value.Length} characters; at most {LabelValue} are accepted (the limit on label values).");
            }
        }
    }

    /// <summary>INVALID_ARGUMENT naming <paramref name="field"/> when any of <paramref name="names"/> is longer than <see cref="ClassName"/>.</summary>
    public static void CheckClassNames(IReadOnlyList<string> names, string field)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i].Length > ClassName)
            {
                throw TooLong(names[i].Length, ClassName, $"{field}[{i}]");
            }
        }
    }

    private static DomainException TooLong(int length, int limit, string field) =>
        DomainException.InvalidArgument(field, $"has {length} characters; at most {limit} are accepted.");
}
