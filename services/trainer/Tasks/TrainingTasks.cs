using System.Reflection;
using Cauchy.Trainer.Execution;
using Cauchy.V1;
using Google.Protobuf.Reflection;

namespace Cauchy.Trainer.Tasks;

/// <summary>
/// The task components this trainer has, by name: every <see cref="ITrainingTask"/> registered in the container.
/// A new kind of job is one class and one registration in the composition root.
/// </summary>
public sealed class TrainingTasks(IEnumerable<ITrainingTask> tasks)
{
    private readonly Dictionary<string, ITrainingTask> _byName = tasks.ToDictionary(t => t.Name, StringComparer.Ordinal);

    public IReadOnlyCollection<string> Names => _byName.Keys;

    /// <summary>The component for a job's task type; a task this trainer lacks fails the job, not retried.</summary>
    public ITrainingTask For(TaskType taskType)
    {
        string name = NameOf(taskType);
        return _byName.TryGetValue(name, out ITrainingTask? task)
            ? task
            : throw new JobFailedException($"spec.task_type is {name}; this trainer trains {string.Join(", ", _byName.Keys.Order(StringComparer.Ordinal))}", retryable: false);
    }

    /// <summary>The task type's name as hypes write it: TASK_TYPE_SEGMENTATION is <c>segmentation</c>.</summary>
    public static string NameOf(TaskType taskType)
    {
        string full = typeof(TaskType).GetField(taskType.ToString())?.GetCustomAttribute<OriginalNameAttribute>()?.Name ?? taskType.ToString();
        const string prefix = "TASK_TYPE_";
        return (full.StartsWith(prefix, StringComparison.Ordinal) ? full[prefix.Length..] : full).ToLowerInvariant();
    }
}
