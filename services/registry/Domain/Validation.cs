using System.Text.RegularExpressions;
using Cauchy.Domain;
using Cauchy.V1;
using Google.Protobuf.Collections;

namespace Cauchy.Registry.Domain;

/// <summary>Checks of caller input (common.proto's rules); each failure is INVALID_ARGUMENT naming the field.</summary>
public static partial class Validation
{
    [GeneratedRegex("^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$")]
    private static partial Regex LabelName();

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Hex();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.+-]{0,199}$")]
    private static partial Regex ArchitectureName();

    public static void ModelName(string value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw RegistryErrors.InvalidArgument(field, "is required.");
        }
        if (!Names.IsValid(value))
        {
            throw RegistryErrors.InvalidArgument(field,
                $"'{Shorten(value)}' is not a valid name: {Names.Rule}.");
        }
    }

    public static void Architecture(string value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw RegistryErrors.InvalidArgument(field, "is required.");
        }
        if (!ArchitectureName().IsMatch(value))
        {
            throw RegistryErrors.InvalidArgument(field, $"'{Shorten(value)}' is not an architecture name: 1-200 characters of [A-Za-z0-9_.+-].");
        }
    }

    public static void TaskType(TaskType value, string field)
    {
        if (value == V1.TaskType.Unspecified || !Enum.IsDefined(value))
        {
            throw RegistryErrors.InvalidArgument(field, $"is required (CLASSIFICATION, DETECTION or SEGMENTATION), got {value}.");
        }
    }

    public static void Sha256(string value, string field)
    {
        if (!Sha256Hex().IsMatch(value ?? ""))
        {
            throw RegistryErrors.InvalidArgument(field, $"'{Shorten(value ?? "")}' is not a sha256: 64 lowercase hexadecimal characters.");
        }
    }

    public static void Labels(MapField<string, string> labels, string field)
    {
        TextLimits.CheckLabels(labels, field);
        foreach (var (key, value) in labels)
        {
            var slash = key.LastIndexOf('/');
            var prefix = slash >= 0 ? key[..slash] : null;
            var name = slash >= 0 ? key[(slash + 1)..] : key;
            if (!LabelName().IsMatch(name) || (prefix is not null && (prefix.Length > 253 || !DnsSubdomain().IsMatch(prefix))))
            {
                throw RegistryErrors.InvalidArgument($"{field}['{Shorten(key)}']",
                    "is not a label key: 1-63 characters of [a-z0-9._-] starting and ending with a letter or digit, optionally prefixed by a DNS subdomain and '/'.");
            }
            if (value.Length > 63)
            {
                throw RegistryErrors.InvalidArgument($"{field}['{key}']", $"the value has {value.Length} characters; at most 63 are allowed.");
            }
        }
    }

    /// <summary>The free text of a model or version (<see cref="TextLimits"/>); <paramref name="prefix"/> is "" or "header.".</summary>
    public static void FreeText(string prefix, string description, IReadOnlyList<string>? classNames = null)
    {
        TextLimits.Check(description, TextLimits.Description, prefix + "description");
        if (classNames is not null)
        {
            TextLimits.CheckClassNames(classNames, prefix + "class_names");
        }
    }

    public static void Metrics(RepeatedField<MetricValue> metrics, string field)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < metrics.Count; i++)
        {
            var metric = metrics[i];
            if (string.IsNullOrEmpty(metric.Name) || metric.Name.Length > 200)
            {
                throw RegistryErrors.InvalidArgument($"{field}[{i}].name", "is required (at most 200 characters).");
            }
            if (!double.IsFinite(metric.Value))
            {
                throw RegistryErrors.InvalidArgument($"{field}[{i}].value", $"{metric.Value} is not a finite number.");
            }
            if (!seen.Add(metric.Name))
            {
                throw RegistryErrors.InvalidArgument($"{field}[{i}].name", $"'{metric.Name}' appears more than once; a version keeps one value per metric.");
            }
        }
    }

    public static void MetricFilters(RepeatedField<MetricFilter> filters, string field)
    {
        for (var i = 0; i < filters.Count; i++)
        {
            var filter = filters[i];
            if (string.IsNullOrEmpty(filter.Name))
            {
                throw RegistryErrors.InvalidArgument($"{field}[{i}].name", "is required.");
            }
            if (filter.Comparison == MetricComparison.Unspecified || !Enum.IsDefined(filter.Comparison))
            {
                throw RegistryErrors.InvalidArgument($"{field}[{i}].comparison", "is required (GREATER, GREATER_OR_EQUAL, LESS or LESS_OR_EQUAL).");
            }
            if (!double.IsFinite(filter.Value))
            {
                throw RegistryErrors.InvalidArgument($"{field}[{i}].value", $"{filter.Value} is not a finite number.");
            }
        }
    }

    public static void Stage(ModelStage stage, string field, bool allowUnspecified)
    {
        if (!Enum.IsDefined(stage) || (!allowUnspecified && stage == ModelStage.Unspecified))
        {
            throw RegistryErrors.InvalidArgument(field, $"{stage} is not a stage (NONE, STAGING, PRODUCTION or ARCHIVED).");
        }
    }

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "...";
}
